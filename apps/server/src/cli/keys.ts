import { Store, storeLocationFromEnv } from "@benih/store";
import { loadConfig } from "../config/load.ts";
import { parse, UsageError } from "./args.ts";

export async function keys(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const [sub, ...rest] = args;
  const store = await Store.open(storeLocationFromEnv(env));
  try {
    switch (sub) {
      case "create": {
        const { values } = parse(rest, { name: { type: "string", short: "n" }, admin: { type: "boolean" }, market: { type: "string" }, config: { type: "string", short: "c" } });
        if (values.market !== undefined) {
          const ids = loadConfig({ ...(values.config && { path: values.config }), env }).config.markets.map((m) => m.id);
          if (!ids.includes(values.market)) throw new UsageError(`no market is named "${values.market}"; markets: ${ids.join(", ") || "none configured"}`);
        }
        const k = await store.apiKeys.create(values.name ?? "default", values.admin ? "admin" : "user", values.market ?? null);
        process.stdout.write(`${k.key}\n`);
        const scope = k.market ? ` for market ${k.market}` : "";
        process.stderr.write(`created ${k.role} key "${k.name}"${scope} (${k.prefix}). This is the only time it is shown; store it now.\n`);
        return;
      }
      case "list": {
        parse(rest, {});
        const all = await store.apiKeys.list();
        if (!all.length) return void process.stdout.write("no keys; create one with `benih keys create --name NAME`\n");
        for (const k of all) {
          const state = k.revoked_at ? `revoked ${new Date(k.revoked_at).toISOString()}` : "live";
          const used = k.last_used_at ? new Date(k.last_used_at).toISOString() : "never";
          process.stdout.write(`${k.prefix.padEnd(8)}  ${k.role.padEnd(5)}  ${k.name.padEnd(16)}  ${k.market ? `market ${k.market}  ` : ""}${state}  last used ${used}  id ${k.id}\n`);
        }
        return;
      }
      case "revoke": {
        const { positionals } = parse(rest, {}, true);
        if (positionals.length !== 1) throw new UsageError("usage: benih keys revoke <id, or the key as list shows it: bk-…abcd>");
        const n = await store.apiKeys.revoke(positionals[0]!);
        if (!n) throw new Error(`no live key has the id or shows as "${positionals[0]}"`);
        process.stdout.write(`revoked ${n} key${n > 1 ? "s" : ""}\n`);
        return;
      }
      default:
        throw new UsageError("usage: benih keys create [--name NAME] [--admin] [--market ID] | list | revoke <id or bk-…abcd>");
    }
  } finally {
    await store.close();
  }
}
