import { Store, storeLocationFromEnv } from "@benih/store";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { keysCreate, keysList, keysRevoke } from "./commands.ts";

async function withStore<T>(env: NodeJS.ProcessEnv, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(storeLocationFromEnv(env));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export async function createKey({ values, env }: Input<typeof keysCreate.options>): Promise<void> {
  if (values.market !== undefined) {
    const ids = loadConfig({ ...(values.config && { path: values.config }), env }).config.markets.map((m) => m.id);
    if (!ids.includes(values.market))
      throw new UsageError(`no market is named "${values.market}"; markets: ${ids.join(", ") || "none configured"}`);
  }
  const k = await withStore(env, (store) =>
    store.apiKeys.create(values.name ?? "default", values.admin ? "admin" : "user", values.market ?? null),
  );
  process.stdout.write(`${k.key}\n`);
  const scope = k.market ? ` for market ${k.market}` : "";
  process.stderr.write(`created ${k.role} key "${k.name}"${scope} (${k.prefix}). This is the only time it is shown; store it now.\n`);
}

export async function listKeys({ env }: Input<typeof keysList.options>): Promise<void> {
  const all = await withStore(env, (store) => store.apiKeys.list());
  if (!all.length) return void process.stdout.write("no keys; create one with `benih keys create --name NAME`\n");
  for (const k of all) {
    const state = k.revoked_at ? `revoked ${new Date(k.revoked_at).toISOString()}` : "live";
    const used = k.last_used_at ? new Date(k.last_used_at).toISOString() : "never";
    process.stdout.write(
      `${k.prefix.padEnd(8)}  ${k.role.padEnd(5)}  ${k.name.padEnd(16)}  ${k.market ? `market ${k.market}  ` : ""}${state}  last used ${used}  id ${k.id}\n`,
    );
  }
}

export async function revokeKey({ positionals, env }: Input<typeof keysRevoke.options>): Promise<void> {
  if (positionals.length !== 1) throw new UsageError("name one key: its id, or the key as `benih keys list` shows it (bk-…abcd)");
  const n = await withStore(env, (store) => store.apiKeys.revoke(positionals[0]!));
  if (!n) throw new Error(`no live key has the id or shows as "${positionals[0]}"`);
  process.stdout.write(`revoked ${n} key${n > 1 ? "s" : ""}\n`);
}
