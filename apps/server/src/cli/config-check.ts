import { storeLocationFromEnv } from "@benih/store";
import { loadConfig } from "../config/load.ts";
import { isLoopback } from "../compose.ts";
import { buildProviders } from "../providers.ts";
import type { Input } from "./command.ts";
import type { configCheck as spec } from "./commands.ts";

/** Validates the config and prints what the server would run with; exits non-zero on errors. No network. */
export async function configCheck({ values, env }: Input<typeof spec.options>): Promise<number> {
  const { config, path } = loadConfig({ ...(values.config && { path: values.config }), env });
  const set = buildProviders(config, env, process.cwd());
  const out: string[] = [];
  const warnings: string[] = [...set.warnings];
  const host = env.HOST ?? config.server.host;
  out.push(`config:    ${path ?? "(none: defaults)"}`);
  out.push(
    `listen:    ${host}:${env.PORT ?? config.server.port}  (API keys ${config.auth.required === true || !isLoopback(host) ? "required" : "optional"})`,
  );
  const loc = storeLocationFromEnv(env);
  out.push(`store:     ${loc.dialect} ${loc.dialect === "sqlite" ? loc.target : loc.target.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}`);
  out.push("providers:");
  if (!set.providers.size) warnings.push("no providers: add GGUF files to models/ or set e.g. OPENAI_API_KEY");
  for (const [name, origin] of set.origins) out.push(`  ${name.padEnd(12)} from ${origin}`);
  const routes = [...config.routes, ...set.localRoutes];
  out.push("routes:");
  for (const r of routes) {
    out.push(`  ${r.model} → ${r.targets.map((t) => `${t.provider}/${t.model}`).join(" → ")}`);
    for (const t of r.targets) if (!set.providers.has(t.provider)) warnings.push(`route ${r.model}: ${set.missingHint(t.provider)}`);
  }
  for (const key of Object.keys(config.prices)) {
    const provider = key.includes("/") ? key.split("/")[0]! : undefined;
    if (provider && !set.providers.has(provider)) warnings.push(`prices.${key}: no provider named ${provider}`);
  }
  if (config.auth.required === false && !isLoopback(host))
    warnings.push(`auth.required is false but ${host} is beyond loopback: the server will refuse to start`);
  process.stdout.write(`${out.join("\n")}\n`);
  for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
  process.stdout.write(warnings.length ? `${warnings.length} warning(s)\n` : "config is valid\n");
  return 0;
}
