import type { MeView, SignInMethods } from "@benih/contracts";
import { useCallback, useEffect, useRef, useState } from "react";
import { signInMethods, whoami } from "../api/account.ts";
import { forgetApiKey } from "../api/http.ts";

/** What the app shows first: nothing yet, the app (for this person), the sign-in screen, or the API key prompt. */
export type Gate =
  | { kind: "loading" }
  /** `me` is null on a server without accounts (or one /v1/me could not answer): the app goes on as before them. */
  | { kind: "in"; me: MeView | null }
  /** `reason`: the 401's code when it says more than "sign in" (`session_expired`). */
  | { kind: "signIn"; methods: SignInMethods; reason?: string }
  /** An API-key-only server (or a stored key it refused); `methods` when it takes sign-in as well. */
  | { kind: "key"; wrong: boolean; methods: SignInMethods | null };

/** What a server that asks for sign-in but not say how (no /v1/auth/methods) is taken to offer. */
const PASSWORD_ONLY: SignInMethods = { required: true, signup: "closed", password: true, oidc: [] };
const KEY_CODES = new Set(["missing_api_key", "invalid_api_key"]);

const worthSigningIn = (m: SignInMethods | null): m is SignInMethods => !!m && (m.password || m.oidc.length > 0);

/**
 * Who this browser is to the server (GET /v1/me), and so what the app shows. `needsKey`: a request of the app's
 * was refused with a 401 (useProblem's); /v1/me is asked again once, to tell an ended session from a missing key.
 */
export function useAccount(needsKey: unknown) {
  const [gate, setGate] = useState<Gate>({ kind: "loading" });

  const check = useCallback(async () => {
    const who = await whoami();
    if (who.kind !== "refused") return setGate({ kind: "in", me: who.kind === "me" ? who.me : null });
    const methods = await signInMethods();
    if (KEY_CODES.has(who.code ?? "")) return setGate({ kind: "key", wrong: who.code === "invalid_api_key", methods });
    setGate({ kind: "signIn", methods: methods ?? PASSWORD_ONLY, ...(who.code === "session_expired" && { reason: who.code }) });
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  const rechecked = useRef(false);
  useEffect(() => {
    if (!needsKey || gate.kind !== "in" || rechecked.current) return;
    rechecked.current = true;
    setGate({ kind: "loading" });
    void check();
  }, [needsKey, gate.kind, check]);

  const methods = gate.kind === "key" ? gate.methods : null;
  return {
    gate,
    /** From the sign-in screen to the key prompt. */
    toKeyPrompt: () => setGate((g) => (g.kind === "signIn" ? { kind: "key", wrong: false, methods: g.methods } : g)),
    /** From the key prompt to the sign-in screen, where the server offers it: a stored key would win over the cookie. */
    toSignIn: worthSigningIn(methods)
      ? () => {
          forgetApiKey();
          setGate({ kind: "signIn", methods });
        }
      : undefined,
  };
}
