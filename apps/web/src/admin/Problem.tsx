import { useEffect } from "react";
import type { AdminError } from "./api.ts";
import type { Words } from "./text.ts";

/** A failed load: an admin key is asked for on 401/403; anything else is said as it is. */
export function Problem({ error, w, onAuth }: { error: AdminError; w: Words; onAuth: (e: AdminError) => void }) {
  const auth = error.status === 401 || error.status === 403;
  useEffect(() => {
    if (auth) onAuth(error);
  }, [auth, error, onAuth]);
  if (auth) return null;
  return <p className="notice error">{error.status ? error.message : `${w.unreachable}: ${error.message}`}</p>;
}
