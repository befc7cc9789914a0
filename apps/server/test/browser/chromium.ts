import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";

// Real Chromium (Debian's, which .ci/run installs) for the browser suites (`npm run test:browser`). Without
// BENIH_REQUIRE_BROWSER a machine with no Chromium or no web build skips them, saying why.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A path from the repository's root. */
export const repo = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));

/** Where the suites save the screenshots a person looks at. */
export const shots = repo("test-output/screenshots");

/** Why the browser suites cannot run here, or false. */
export const browserSkip: string | false = process.env.BENIH_REQUIRE_BROWSER
  ? false
  : !existsSync(executablePath)
    ? `no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`
    : !existsSync(repo("apps/web/dist/index.html")) && "the web app is not built (npm run build -w @benih/web)";

/** Headless Chromium with nothing of its own on the network (this machine's network is closed to it anyway). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      ...extraArgs,
    ],
  });
}

/** Chromium's flags for a microphone that plays `wav` (and grants it without asking). */
export const fakeMicrophone = (wav: string) => [
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  `--use-file-for-fake-audio-capture=${wav}`,
];
