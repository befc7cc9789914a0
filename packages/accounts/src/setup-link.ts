import type { Store } from "@benih/store";

const SETUP_TTL_MS = 24 * 3_600_000;

/**
 * For each market whose store has no admin yet: a one-time link that makes its first admin (24 h). Made at every
 * start until someone uses one, so a lost log line costs a restart, not the market.
 */
export async function openSetupLinks(
  stores: Iterable<[string | null, Store]>,
  origin: string,
): Promise<Array<{ market: string | null; url: string }>> {
  const links: Array<{ market: string | null; url: string }> = [];
  for (const [market, store] of stores) {
    if ((await store.accounts.countAdmins()) > 0) continue;
    const { token } = await store.accounts.createLink({
      kind: "setup",
      email: null,
      role: "admin",
      createdBy: "setup",
      ttlMs: SETUP_TTL_MS,
    });
    links.push({ market, url: `${origin}/?invitation=${token}` });
  }
  return links;
}
