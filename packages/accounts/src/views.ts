import type { MeView, PersonKeyView, PersonView, QuotaLimits } from "@benih/contracts";
import type { ApiKey, User } from "@benih/store";

/** A person's own limits (over the market's), as an admin set them; null: the market's. */
export const ownLimits = (u: User): QuotaLimits | null => (u.quota ? (JSON.parse(u.quota) as QuotaLimits) : null);

export const personView = (u: User): PersonView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: Number(u.created_at),
  disabledAt: u.disabled_at === null ? null : Number(u.disabled_at),
  quota: ownLimits(u),
});

export const meView = (u: User, csrf?: string): MeView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  market: u.market,
  role: u.role,
  owner: u.owner === 1,
  createdAt: Number(u.created_at),
  ...(csrf && { csrfToken: csrf }),
});

export const keyView = (k: ApiKey): PersonKeyView => ({
  id: k.id,
  name: k.name,
  hint: k.prefix,
  createdAt: Number(k.created_at),
  lastUsedAt: k.last_used_at === null ? null : Number(k.last_used_at),
});
