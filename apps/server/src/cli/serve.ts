import { loadConfig } from "../config/load.ts";
import { isLoopback, startBenih } from "../compose.ts";
import { createLogger } from "../logger.ts";
import type { Input } from "./command.ts";
import type { serve as spec } from "./commands.ts";

export async function serve({ values, env }: Input<typeof spec.options>): Promise<void> {
  const { config } = loadConfig({ ...(values.config && { path: values.config }), env });
  // Flags beat the environment, which beats the file.
  const host = values.host ?? env.HOST;
  const port = values.port ?? env.PORT;
  if (host) config.server.host = host;
  if (port) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be a number from 0 to 65535 (got "${port}")`);
    config.server.port = n;
  }
  const logger = createLogger(env.LOG_LEVEL ?? config.server.logLevel);
  const server = await startBenih({ config, env, logger });
  process.stderr.write(`benih is serving at ${server.url}  (OpenAI API at ${server.url}/v1)\n`);
  if (!isLoopback(config.server.host) && config.markets.length) {
    // Beyond loopback, clients name this machine by addresses and names no shipped market lists.
    const hosts = config.markets.map((m) => `${m.id}: ${m.hosts.join(", ") || "(none)"}`).join("; ");
    const fallback = config.defaultMarket
      ? `; other hosts go to market ${config.defaultMarket}`
      : `; any other host name gets 421 no_market: add it to a market's \`hosts:\` in benih.yaml, or set \`defaultMarket:\``;
    process.stderr.write(`markets answer to these host names only: ${hosts}${fallback}\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, ...config.server.shutdown }, "shutting down: not ready, then draining");
    await server.shutdown();
    logger.flushSync();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
