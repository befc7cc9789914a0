import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { startServer } from "../harness.ts";
import { until } from "../until.ts";
import { browserSkip, launchChromium, repo, shots } from "./chromium.ts";

process.env.BENIH_TRAINER_THREADS ??= "1";

// What a fresh clone gets from `npm start` (in the slow suite: a real trainer, about a minute with Chromium): the shipped benih.yaml, no keys, no agent started by hand. The server
// runs the control plane and its own agent for region `local`, so /admin works on loopback and trains from the form.
const skip = browserSkip;

describe("/admin on the shipped configuration, in Chromium", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    server = await startServer({ yaml: readFileSync(repo("benih.yaml"), "utf8") });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the local region without asking for a key, and trains a run started from the form while charting its loss", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/admin`);
    const local = page.locator('[data-testid=region][data-region="local"]');
    await local.waitFor({ timeout: 30_000 });
    assert.match((await local.textContent())!, /local-.+: 1\/1 CPU free/);
    assert.equal(await page.getByTestId("admin-key").count(), 0, "no admin key is asked for on loopback");
    await page.getByText("No runs yet.").waitFor();
    await page.screenshot({ path: `${shots}/admin-default-runs.png`, fullPage: true });

    await page.getByTestId("new-recipe").selectOption("micro");
    await page.getByTestId("new-dataset").selectOption("global");
    await page.getByTestId("new-steps").fill("40");
    await page.getByTestId("create").click();
    await page.waitForURL(/\/admin\/runs\/run-\w+$/);
    const runId = page.url().split("/").pop()!;
    assert.match((await page.getByTestId("placement").textContent())!, /local-.+\(local\)\s*chosen: cpu · CPU/);

    await page.locator("header [data-testid=state]").getByText("succeeded", { exact: true }).waitFor({ timeout: 60_000 });
    const loss = page.getByTestId("chart-loss");
    await until(
      "the loss chart's last step",
      async () => (Number(await loss.getAttribute("data-last-step")) === 40 ? true : undefined),
      10_000,
    );
    assert.ok(Number(await loss.getAttribute("data-points")) > 10, "the loss chart has the run's points");
    const run = (await server.store.training.getRun(runId))!;
    assert.equal(run.dataset, "global");
    assert.equal(run.market, "global");
    await page.screenshot({ path: `${shots}/admin-default-run.png`, fullPage: true });
    await page.close();
  });
});
