import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startServer } from "../harness.ts";
import { until } from "../until.ts";
import { agentCommand, cnNorthTraining } from "../training-config.ts";
import { browserSkip, launchChromium, shots } from "./chromium.ts";

// Trainers started here use one thread each: several run at once, beside the other test files.
process.env.BENIH_TRAINER_THREADS ??= "1";

// The training dashboard in real Chromium, against the whole server and a real `benih agent` training the micro
// recipe: the admin key prompt, placement refusals, live charts, and the control buttons.
const skip = browserSkip;
const root = mkdtempSync(join(tmpdir(), "benih-dashboard-"));
const ADMIN = "bk-admin-key-for-the-dashboard";
const yaml = `auth: { required: true }
${cnNorthTraining(30)}`;

describe("the training dashboard in Chromium", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let agent: ChildProcess;

  before(async () => {
    server = await startServer({ yaml, env: { BENIH_ADMIN_KEY: ADMIN } });
    agent = spawn(
      process.execPath,
      agentCommand({ url: server.url, cluster: "bj-1", nodes: ["g0=H20:8"], runs: join(root, "runs"), checkpointEvery: 500 }),
      { stdio: "ignore" },
    );
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
    const fleet = async () =>
      (
        (await (await fetch(`${server.url}/control/v1/fleet`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
          clusters: unknown[];
        }
      ).clusters;
    await until("the agent", async () => ((await fleet()).length === 1 ? true : undefined));
  });
  after(async () => {
    agent?.kill("SIGKILL");
    await browser?.close();
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const lastStep = async (page: Page) => Number(await page.getByTestId("chart-loss").getAttribute("data-last-step"));

  it("asks for an admin key, shows why a placement is refused, charts a run live, and pauses, resumes and stops it from its buttons", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/admin`);
    await page.getByTestId("admin-key").fill("not-an-admin-key");
    await page.getByTestId("admin-key").press("Enter");
    await page.getByText("That key is not an admin key.").waitFor();
    await page.getByTestId("admin-key").fill(ADMIN);
    await page.getByTestId("admin-key").press("Enter");
    await page.getByText("No runs yet.").waitFor();

    await page.getByTestId("new-recipe").selectOption("micro");
    await page.getByTestId("new-steps").fill("2000000");
    await page.getByTestId("new-accelerator").fill("H100");
    await page.getByTestId("create").click();
    const refusal = page.getByTestId("refusal");
    await refusal.waitFor();
    assert.match((await refusal.textContent())!, /refused bj-1: H100 is not allowed in cn-north since 2023-10-17/);

    await page.getByTestId("new-accelerator").fill("");
    await page.getByTestId("create").click();
    await page.waitForURL(/\/admin\/runs\/run-\w+$/);
    const runId = page.url().split("/").pop()!;
    await page.getByTestId("state").getByText("running", { exact: true }).first().waitFor({ timeout: 30_000 });

    // The chart follows the run: its last plotted step keeps moving without a reload.
    await until("a first point", async () => ((await lastStep(page)) > 0 ? true : undefined));
    const seen = await lastStep(page);
    await until("the chart to move", async () => ((await lastStep(page)) > seen + 20 ? true : undefined));
    assert.ok(Number(await page.getByTestId("chart-loss").getAttribute("data-points")) > 1);
    await page
      .getByTestId("logs")
      .getByText(/step \d+\/2000000 {2}loss/)
      .first()
      .waitFor();
    assert.match((await page.getByTestId("placement").textContent())!, /bj-1.*chosen: g0 · H20/);
    await page.screenshot({ path: `${shots}/dashboard-run-1280.png`, fullPage: true });

    assert.equal(await page.getByTestId("resume").isDisabled(), true, "a running run cannot be resumed");
    await page.getByTestId("pause").click();
    await page.locator("header [data-testid=state]").getByText("paused", { exact: true }).waitFor({ timeout: 30_000 });
    const paused = (await server.store.training.getRun(runId))!;
    const checkpoint = (await server.store.training.lastCheckpoint(runId))!;
    assert.ok(checkpoint.step >= paused.step - 1, "paused after a checkpoint");
    await page.getByTestId("checkpoints").getByText(checkpoint.step.toLocaleString("en-US"), { exact: true }).waitFor();
    assert.equal(await page.getByTestId("pause").isDisabled(), true);

    await page.getByTestId("resume").click();
    await page.locator("header [data-testid=state]").getByText("running", { exact: true }).waitFor({ timeout: 30_000 });
    await until("the chart past the pause", async () => ((await lastStep(page)) > paused.step + 20 ? true : undefined));
    const steps = (await server.store.training.metrics(runId)).map((m) => m.step);
    assert.deepEqual(
      steps.filter((s, i) => i > 0 && s !== steps[i - 1]! + 1),
      [],
      "one continuous curve across the pause",
    );

    await page.getByTestId("stop").click();
    await page.locator("header [data-testid=state]").getByText("stopped", { exact: true }).waitFor({ timeout: 30_000 });
    for (const b of ["pause", "resume", "checkpoint", "stop"])
      assert.equal(await page.getByTestId(b).isDisabled(), true, `${b} after stop`);
    assert.deepEqual(await page.getByTestId("history").locator("[data-testid=state]").allTextContents(), [
      "queued",
      "placed",
      "running",
      "paused",
      "placed",
      "running",
      "stopped",
    ]);
    await page.close();
  });

  it("shows the fleet by region with accelerator models and use, also at 390 px", async () => {
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.goto(`${server.url}/admin/fleet`);
      await page.getByTestId("admin-key").fill(ADMIN);
      await page.getByTestId("admin-key").press("Enter");
      const region = page.locator('[data-region="cn-north"]');
      await region.waitFor();
      assert.match((await region.textContent())!, /bj-1.*g0H20In use: 0 \/ 8/);
      assert.ok(
        await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"),
        `the fleet page scrolls sideways at ${width}px`,
      );
      await page.screenshot({ path: `${shots}/dashboard-fleet-${width}.png` });
      await page.close();
    }
  });
  it("previews a placement without creating a run, keeps tags and a note on a run, and compares two runs' loss curves on one chart", async () => {
    const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const runIds = async () =>
      ((await (await fetch(`${server.url}/control/v1/runs`, { headers: admin })).json()) as { runs: Array<{ id: string }> }).runs.map(
        (r) => r.id,
      );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/admin`);
    await page.getByTestId("admin-key").fill(ADMIN);
    await page.getByTestId("admin-key").press("Enter");
    await page.getByTestId("new-recipe").selectOption("micro");
    await page.getByTestId("new-steps").fill("300");
    const before = await runIds();
    await page.getByTestId("preview").click();
    assert.match(
      (await page.getByTestId("preview-placement").textContent())!,
      /^placed on bj-1\/g0 \(1 × H20\) in cn-north.*bj-1 \(cn-north\) chosen: g0 · H20/,
    );
    assert.deepEqual(await runIds(), before, "a preview creates nothing");

    // Two short runs whose schedules differ (300 and 600 steps), so their curves part.
    const created: string[] = [];
    for (const steps of [300, 600]) {
      const res = await fetch(`${server.url}/control/v1/runs`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ recipe: "micro", dataset: "cn-chat", steps }),
      });
      created.push(((await res.json()) as { id: string }).id);
    }
    for (const id of created)
      await until(
        `${id} to finish`,
        async () => ((await server.store.training.getRun(id))?.state === "succeeded" ? true : undefined),
        120_000,
      );

    await page.goto(`${server.url}/admin/runs/${created[0]}`);
    await page.getByTestId("run-tags").fill("baseline, short,  baseline");
    await page.getByTestId("run-note").fill("300 steps: the cosine schedule decays twice as fast.");
    await page.getByTestId("save-annotations").click();
    await page.getByText("Saved").waitFor();
    assert.equal(await page.getByTestId("run-tags").inputValue(), "baseline, short", "tags are kept once each");
    const saved = (await server.store.training.getRun(created[0]!))!;
    assert.deepEqual([JSON.parse(saved.tags), saved.note], [["baseline", "short"], "300 steps: the cosine schedule decays twice as fast."]);
    const tooMany = await fetch(`${server.url}/control/v1/runs/${created[0]}`, {
      method: "PATCH",
      headers: admin,
      body: JSON.stringify({ tags: Array.from({ length: 17 }, (_, i) => `t${i}`) }),
    });
    assert.equal(tooMany.status, 400, "at most 16 tags");

    await page.goto(`${server.url}/admin`);
    assert.equal(await page.getByTestId("compare-runs").isDisabled(), true, "nothing to compare yet");
    for (const id of created) await page.getByRole("checkbox", { name: `Compare ${id}` }).check();
    await page.getByTestId("compare-runs").click();
    await page.waitForURL(/\/admin\/compare\?runs=/);
    const chart = page.getByTestId("compare-loss");
    await until("both curves", async () =>
      Number(await chart.getAttribute("data-lines")) === 2 && Number(await chart.getAttribute("data-last-step")) === 600 ? true : undefined,
    );
    const legend = await chart.getByTestId("legend-entry").allTextContents();
    assert.match(legend[0]!, new RegExp(`^baseline, short · ${created[0]} \\d`));
    assert.match(legend[1]!, new RegExp(`^${created[1]} \\d`));
    assert.match((await page.getByTestId("compare-table").textContent())!, /baselineshort300 steps: the cosine schedule/);
    assert.match((await page.getByTestId("compare-scores").textContent())!, /all exact\d+\.\d%\d+\.\d%/, "both runs' scores side by side");
    await page.screenshot({ path: `${shots}/dashboard-compare-1280.png`, fullPage: true });
    await page.close();
  });

  it("uploads a dataset from the form: a broken one is refused naming its lines, a whole one is kept in cn-north and offered to runs", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.url}/admin`);
    await page.getByTestId("admin-key").fill(ADMIN);
    await page.getByTestId("admin-key").press("Enter");
    const form = page.getByTestId("dataset-upload");
    await form.getByTestId("upload-market").selectOption("cn");
    const line = (q: string, a: string) => JSON.stringify({ question: q, answer: a });
    const send = async (name: string, lines: string[]) => {
      await form.getByTestId("upload-name").fill(name);
      await form
        .getByTestId("upload-file")
        .setInputFiles({ name: `${name}.jsonl`, mimeType: "application/x-ndjson", buffer: Buffer.from(lines.join("\n")) });
      await form.getByTestId("upload").click();
      await form.getByTestId("dataset-report").waitFor();
      return form.getByTestId("dataset-report");
    };
    const refused = await send("cn-faq", [line("肯尼亚的首都是哪里？", "内罗毕。"), "{oops", line("What is 2 plus 2?", "4")]);
    assert.equal(await refused.getAttribute("data-accepted"), "false");
    assert.match((await refused.textContent())!, /Refused: 1 of its 3 lines is not an example \(line 2: not valid JSON/);
    assert.match((await form.getByTestId("broken-lines").textContent())!, /^line 2: not valid JSON/);
    await page.screenshot({ path: `${shots}/dashboard-upload-refused.png`, fullPage: true });

    const kept = await send("cn-faq", [
      line("肯尼亚的首都是哪里？", "内罗毕。"),
      line("What is 2 plus 2?", "4"),
      line("Berapa 2 tambah 2?", "4"),
    ]);
    await until("the new report", async () => ((await kept.getAttribute("data-accepted")) === "true" ? true : undefined));
    assert.match((await kept.textContent())!, /cn-faq \(train\) is kept in cn-north: 3 examples of 3 lines.*Languages: (zh 1|en 1|id 1), /);
    await until("the dataset offered to new runs", async () =>
      (await page.getByTestId("new-dataset").locator("option").allTextContents()).includes("cn-faq (cn, cn-north)") ? true : undefined,
    );
    await page.screenshot({ path: `${shots}/dashboard-upload-kept.png`, fullPage: true });
    await page.close();
  });
});
