import { checkMarkets } from "@benih/markets";
import { storeLocationFromEnv } from "@benih/store";
import { Router } from "@benih/gateway";
import { loadConfig } from "../config/load.ts";
import { marketsOf } from "../markets.ts";
import { buildProviders } from "../providers.ts";
import type { Input } from "./command.ts";
import type { marketsList } from "./commands.ts";

/** `benih markets list|check`: each market's effective settings; check exits 1 when a market is misconfigured. No network. */
export async function marketsCommand(sub: "list" | "check", { values, env }: Input<typeof marketsList.options>): Promise<number> {
  const { config, path } = loadConfig({ ...(values.config && { path: values.config }), env });
  const markets = marketsOf(config, storeLocationFromEnv(env), process.cwd());
  if (!markets.list().length) {
    process.stdout.write(`no markets in ${path ?? "the default config"}: every request shares one store and no allow-list applies\n`);
    return 0;
  }
  const set = buildProviders(config, env, process.cwd());
  const configured = new Set(config.routes.map((r) => r.model));
  const router = new Router(set.providers, [...config.routes, ...set.localRoutes.filter((r) => !configured.has(r.model))], set.missingHint);
  const findings = checkMarkets(markets, {
    providers: new Map([...set.providers.keys()].map((name) => [name, { region: set.regions.get(name) }])),
    hint: set.missingHint,
    targets: (model) => router.resolve(model)?.targets,
  });

  if (values.json) {
    process.stdout.write(
      JSON.stringify({ defaultMarket: markets.defaultMarket ?? null, markets: markets.list().map((m) => m.profile), findings }, null, 2) +
        "\n",
    );
  } else if (sub === "list") {
    for (const { profile: p, allow } of markets.list()) {
      const models = router
        .configuredRoutes()
        .filter((r) => r.targets.some((t) => allow.allows(t.provider, t.model)))
        .map((r) => r.model);
      const store =
        "sqlite" in p.store
          ? `sqlite ${p.store.sqlite}`
          : `postgres ${p.store.postgres.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}${p.store.schema ? ` schema ${p.store.schema}` : ""}`;
      process.stdout.write(
        [
          `${p.id}${markets.defaultMarket === p.id ? " (default for other hosts)" : ""}: ${Object.values(p.displayName)[0]}, region ${p.region}`,
          `  hosts:      ${p.hosts.join(", ") || "(none)"}`,
          `  locales:    ${p.locales.join(", ")} (default ${p.defaultLocale})`,
          `  allow:      ${p.allow.join(", ")}`,
          `  models now: ${models.join(", ") || "(none: configure a provider it allows)"}`,
          `  defaults:   ${
            Object.entries(p.defaults)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ") || "(none)"
          }`,
          `  policy:     ${p.policy.blocked.length} blocked terms (${[...new Set(p.policy.blocked.map((b) => b.category))].join(", ") || "none"})`,
          `  store:      ${store}, kept ${p.retentionDays} days`,
          "",
        ].join("\n"),
      );
    }
  }
  if (!values.json) {
    for (const f of findings) process.stdout.write(`${f.level}: market ${f.market} ${f.message}\n`);
    const errors = findings.filter((f) => f.level === "error").length;
    if (sub === "check")
      process.stdout.write(
        errors
          ? `${errors} error(s)\n`
          : `${markets.list().length} markets are valid${findings.length ? ` (${findings.length} warning(s))` : ""}\n`,
      );
  }
  return sub === "check" && findings.some((f) => f.level === "error") ? 1 : 0;
}
