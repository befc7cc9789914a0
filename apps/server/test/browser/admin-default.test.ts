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
    server = await startServer({ yaml: readFileSync(repo("benih.yaml"), "utf8"), env: { BENIH_MODELS_DIR: repo("models") } });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("explains itself on every tab: runs, fleet and setup work, and what is not configured says what it needs", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/admin`);
    await page.getByTestId("runs").waitFor();
    await page.getByRole("link", { name: "Fleet" }).click();
    await page.getByTestId("fleet").locator('[data-region="local"]').waitFor();
    await page.getByRole("link", { name: "Setup" }).click();
    await page.waitForURL(/\/admin\/setup$/);
    const providers = page.getByTestId("setup-providers");
    await providers.waitFor();
    assert.match((await providers.locator('[data-provider="local"]').textContent())!, /^local ✓ Configuredruns on this server$/);
    const openai = providers.locator('[data-provider="openai"]');
    assert.equal(await openai.getAttribute("data-configured"), "false");
    assert.equal(await openai.locator("code").textContent(), "OPENAI_API_KEY", "the variable to set, as code");
    const web = page.getByTestId("setup-skills").locator('[data-skill="web"]');
    assert.equal(await web.locator("code").textContent(), "assistant.webSearch");
    // Speech works offline with espeak-ng; speech recognition says the key that turns it on.
    const skillsShown = page.getByTestId("setup-skills");
    assert.match(
      (await skillsShown.locator('[data-skill="speech"]').textContent())!,
      /^Speech \(read aloud, calls\) ✓ Configuredespeak-ng$/,
    );
    assert.equal(await skillsShown.locator('[data-skill="transcription"] code').textContent(), "assistant.transcription");
    assert.doesNotMatch((await page.locator("main").textContent())!, /benih\.yaml|\/srv|\.benih|Unknown request URL/);
    assert.equal(await page.locator(".error").count(), 0, "no tab shows an error");
    await page.screenshot({ path: `${shots}/admin-default-setup.png`, fullPage: true });

    // Each tab once more, straight from its address: each shows its content and no error.
    for (const [path, testId] of [
      ["/admin", "runs"],
      ["/admin/fleet", "fleet"],
      ["/admin/setup", "setup"],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.getByTestId(testId).waitFor();
      assert.equal(await page.locator(".error").count(), 0, `${path} shows no error`);
    }
    await page.close();
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
