import { GatewayError } from "@benih/gateway";
import type { Invitation, Store } from "@benih/store";

const refusals = {
  unknown: [400, "This link is not valid: ask for a new one.", "unknown"],
  expired: [410, "This link has expired: ask for a new one.", "expired"],
  used: [409, "This link has been used already.", "used"],
} as const;

/** An invitation, setup or reset link that can still be used, or a refusal that says why not. */
export async function openLink(store: Store, token: string, kinds: Invitation["kind"][]): Promise<Invitation> {
  const found = await store.accounts.peekLink(token);
  const word = kinds.includes("reset") ? "reset" : "invitation";
  const why = typeof found === "string" ? found : kinds.includes(found.kind) ? undefined : "unknown";
  if (why) {
    const [status, message, code] = refusals[why];
    throw new GatewayError(status, "invalid_request_error", message, `${word}_${code}`);
  }
  return found as Invitation;
}
