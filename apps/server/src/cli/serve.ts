import { loadConfig } from "../config/load.ts";
import { startBenih } from "../compose.ts";
import { createLogger } from "../logger.ts";
import { parse } from "./args.ts";

export async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parse(args, {
    config: { type: "string", short: "c" },
    host: { type: "string" },
    port: { type: "string", short: "p" },
  });
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
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await server.close();
    logger.flushSync();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
