import type { Store } from "@benih/store";

/**
 * Gives each person's key made before accounts (a live `user` key of one market, or of the one space without
 * markets, made before the store's accounts migration ran) a person of its own in that market's store, with the
 * key's id as the person's: what the key owned (conversations, documents, images, agents, videos) is theirs with
 * nothing rewritten, the key acts as them, and its requests count as theirs in usage. Keys of no market on a server
 * with markets are left as they are: they may own data in several markets' stores, and a person belongs to one.
 * Runs at every start; a key adopted once is skipped, and two instances starting together make one person.
 */
export async function adoptLegacyKeys(home: Store, storeOf: (market: string | null) => Store | undefined): Promise<number> {
  const accountsSince = await home.migratedAt("0013-accounts");
  if (accountsSince === undefined) return 0;
  let adopted = 0;
  for (const key of await home.apiKeys.list()) {
    if (key.role !== "user" || key.user_id !== null || key.revoked_at !== null || Number(key.created_at) >= accountsSince) continue;
    const store = storeOf(key.market);
    if (!store) continue;
    await store.accounts.create(
      { id: key.id, email: null, name: key.name, passwordHash: null, role: "member", market: key.market },
      { ifNew: true },
    );
    await store.requestLog.attribute(key.id, key.id);
    await home.accounts.adoptKey(key.id, key.id);
    adopted++;
  }
  return adopted;
}
