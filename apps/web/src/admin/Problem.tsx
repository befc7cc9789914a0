import { useEffect } from "react";
import type { AdminError } from "./api.ts";
import type { Words } from "./text.ts";

/** A failed load: an admin key is asked for on 401/403, a page this server does not serve is said plainly, anything else as it is. */
export function Problem({ error, w, onAuth }: { error: AdminError; w: Words; onAuth: (e: AdminError) => void }) {
  const auth = error.status === 401 || error.status === 403;
  useEffect(() => {
    if (auth) onAuth(error);
  }, [auth, error, onAuth]);
  if (auth) return null;
  // A route this server does not serve: say so in the admin's language, not the server's "Unknown request URL".
  if (error.status === 404) return <p className="notice">{w.notHere.replace("{status}", "404")}</p>;
  return <p className="notice error">{error.status ? error.message : `${w.unreachable}: ${error.message}`}</p>;
}
