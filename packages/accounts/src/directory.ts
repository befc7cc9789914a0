import type { ApiKeyLookup, KeyRecord, OwnerLookup, Person, SessionLookup, SessionRecord } from "@benih/gateway";
import { marketOfKey, type SessionTimes, type Store, type User } from "@benih/store";
import { ownLimits } from "./views.ts";

export const personOf = (u: User): Person => ({
  id: u.id,
  email: u.email,
  role: u.role,
  owner: u.owner === 1,
  quota: ownLimits(u),
});

/** A session is written as seen at most this often: sign-in state is read per request, written once a minute. */
const SEEN_EVERY_MS = 60_000;

/**
 * Where keys and sessions are found: a person's key (`sk-benih-<market>-…`) and session cookie (`<market>.<token>`)
 * name their market, so each is looked up in that market's store alone, never another's; operators' keys and keys
 * made before accounts are in the home store. Without markets the home store holds everyone.
 */
export class AccountDirectory implements ApiKeyLookup, SessionLookup, OwnerLookup {
  /** The store each key was found in, so its last use is written there and nowhere else. */
  private readonly keyStores = new Map<string, Store>();

  constructor(
    private readonly home: Store,
    private readonly markets: ReadonlyMap<string, Store> | undefined,
    readonly times: SessionTimes,
  ) {}

  /** The store people of `market` live in (null: the one space without markets). */
  storeOf(market: string | null): Store | undefined {
    if (!this.markets) return market === null ? this.home : undefined;
    return market === null ? undefined : this.markets.get(market);
  }

  private get stores(): Store[] {
    return [this.home, ...(this.markets?.values() ?? [])];
  }

  async verify(key: string): Promise<KeyRecord | undefined> {
    const market = marketOfKey(key);
    const store = market === undefined ? this.home : this.storeOf(market);
    const row = await store?.apiKeys.verify(key);
    if (!store || !row) return undefined;
    if (this.keyStores.size > 100_000) this.keyStores.clear();
    this.keyStores.set(row.id, store);
    if (!row.user_id) return { id: row.id, name: row.name, role: row.role, market: row.market };
    // A key made before accounts stays in the home store; the person it was adopted as lives in its market's.
    const people = market === undefined ? this.storeOf(row.market) : store;
    const user = await people?.accounts.byId(row.user_id);
    if (!user || user.disabled_at !== null) return undefined;
    return { id: row.id, name: row.name, role: "user", market: user.market, person: personOf(user) };
  }

  async touch(ids: string[]): Promise<void> {
    const byStore = new Map<Store, string[]>();
    for (const id of ids) {
      const store = this.keyStores.get(id) ?? this.home;
      byStore.set(store, [...(byStore.get(store) ?? []), id]);
    }
    await Promise.all([...byStore].map(([store, some]) => store.apiKeys.touch(some)));
  }

  onRevoke(listener: (id: string) => void): () => void {
    const offs = this.stores.map((s) => s.apiKeys.onRevoke(listener));
    return () => {
      for (const off of offs) off();
    };
  }

  /**
   * An owner of data of `market` by id, looked up in that market's store (and, for a key of no person, the home
   * store): a live person, else a live key of no person (a key adopted as a person acts as that person).
   */
  async ownerById(id: string, market: string | null): Promise<KeyRecord | undefined> {
    const people = this.storeOf(market);
    // A market no store serves has no owners (the header naming it comes with the work, not from a person).
    if (!people) return undefined;
    const user = await people.accounts.byId(id);
    if (user) return user.disabled_at === null ? this.asPerson(user) : undefined;
    for (const store of new Set([people, this.home])) {
      const key = await store.apiKeys.liveById(id);
      // A key of another market owns nothing here.
      if (!key || (key.market !== null && key.market !== market)) continue;
      if (!key.user_id) return { id: key.id, name: key.name, role: key.role, market: key.market };
      const adopted = await people.accounts.byId(key.user_id);
      return adopted && adopted.disabled_at === null ? this.asPerson(adopted) : undefined;
    }
    return undefined;
  }

  /** A person as the caller of the server's work for them: no key of theirs, their id marks the request log's rows. */
  private asPerson(user: User): KeyRecord {
    return { id: `on-behalf-of:${user.id}`, name: user.email ?? user.name, role: "user", market: user.market, person: personOf(user) };
  }

  /** The cookie value of a session of a person of `market`. */
  cookieValue(market: string | null, token: string): string {
    return market === null ? token : `${market}.${token}`;
  }

  /** The market and token a cookie value names; undefined when it names no store here. */
  parseCookie(value: string): { store: Store; token: string } | undefined {
    const dot = value.indexOf(".");
    const market = dot > 0 ? value.slice(0, dot) : null;
    const store = this.storeOf(market);
    return store && { store, token: value.slice(dot + 1) };
  }

  async session(cookie: string): Promise<SessionRecord | undefined> {
    const at = this.parseCookie(cookie);
    const s = at && (await at.store.accounts.session(at.token, this.times.idleMs));
    if (!at || !s) return undefined;
    if (Date.now() - s.seenAt > SEEN_EVERY_MS) await at.store.accounts.touchSession(s.id);
    return { id: s.id, csrf: s.csrf, market: s.user.market, person: personOf(s.user) };
  }
}
