import { mkdirSync, readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { startServer } from "../harness.ts";
import { launchChromium, repo, shots } from "./chromium.ts";

export type ShippedServer = Awaited<ReturnType<typeof startServer>>;

/**
 * The server as `npm start` runs it (the shipped benih.yaml and the committed models) and Chromium, for a suite;
 * `origin(host)` is the server's address at a market's host (Chromium resolves *.localhost to this machine).
 */
export async function startShipped(
  /** More of benih.yaml, after the shipped one's sections (a `training:` section). */
  more = "",
): Promise<{ server: ShippedServer; browser: Browser; origin: (host: string) => string }> {
  const server = await startServer({ yaml: readFileSync(repo("benih.yaml"), "utf8") + more, env: { BENIH_MODELS_DIR: repo("models") } });
  mkdirSync(shots, { recursive: true });
  return { server, browser: await launchChromium(), origin: (host) => server.url.replace("127.0.0.1", host) };
}

/** Closes what startShipped opened (either may be missing when it failed half way). */
export async function closeShipped(s: { server?: ShippedServer; browser?: Browser }): Promise<void> {
  await s.browser?.close();
  await s.server?.close();
}
