import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.ts";
import { startBenih, type BenihServer } from "../src/compose.ts";

/** The whole server, as `benih serve` composes it, on a loopback port with its own data directory. */
export async function startServer(
  o: { yaml?: string; env?: NodeJS.ProcessEnv; cwd?: string; keepaliveMs?: number } = {},
): Promise<BenihServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "benih-server-"));
  const env = { BENIH_DATA_DIR: dataDir, BENIH_MODELS_DIR: join(dataDir, "no-models"), ...o.env };
  const config = parseConfig(o.yaml ?? "", "test.yaml", env);
  config.server.port = 0;
  const server = await startBenih({
    config,
    env,
    ...(o.cwd && { cwd: o.cwd }),
    ...(o.keepaliveMs !== undefined && { keepaliveMs: o.keepaliveMs }),
  });
  return {
    ...server,
    dataDir,
    async close() {
      await server.close();
      // Retried: the store's checkpoint worker may still be letting go of its files.
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    },
  };
}
