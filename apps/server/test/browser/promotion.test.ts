import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { until } from "../until.ts";
import { agentCommand, cnNorthTraining } from "../training-config.ts";
import { browserSkip, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

process.env.BENIH_TRAINER_THREADS ??= "1";

// A run trained by a real cn-north agent (an adapter on the shipped base), promoted from its page to market cn's chat model while the shipped server
// runs: the chat at cn.localhost is answered by it within seconds, and the rollback brings the shipped model back.
describe("promoting a run to a market's chat model, in Chromium", { skip: browserSkip }, () => {
  let server: ShippedServer;
  let browser: Browser;
  let origin: (host: string) => string;
  let agent: ChildProcess;
  const root = mkdtempSync(join(tmpdir(), "benih-promote-"));
  before(async () => {
    ({ server, browser, origin } = await startShipped(`\n${cnNorthTraining(30)}`));
    agent = spawn(
      process.execPath,
      agentCommand({ url: server.url, cluster: "bj-1", nodes: ["g0=H20:8"], runs: join(root, "runs"), checkpointEvery: 500 }),
      { stdio: "ignore" },
    );
    await until("the agent", async () =>
      ((await (await fetch(`${server.url}/control/v1/fleet`)).json()) as { clusters: unknown[] }).clusters.length ? true : undefined,
    );
  });
  after(async () => {
    agent?.kill("SIGKILL");
    await closeShipped({ server, browser });
    rmSync(root, { recursive: true, force: true });
  });

  /** What market cn lists its chat model as served from, asked from the page as the chat app asks. */
  const servedFrom = (page: Page) =>
    page.evaluate(async () => {
      const list = (await (await fetch("/v1/models")).json()) as { data: Array<{ id: string; owned_by: string }> };
      return list.data.find((m) => m.id === "benih-tiny-cn")?.owned_by;
    });

  /** Asks in the chat at cn.localhost; the answer's state and text. */
  async function ask(page: Page, question: string): Promise<string> {
    await page.goto(origin("cn.localhost"));
    await page.getByTestId("input").fill(question);
    await page.getByTestId("send").click();
    const answer = page.getByTestId("assistant-turn").first();
    await answer.and(page.locator('[data-state="done"], [data-state="failed"]')).waitFor({ timeout: 60_000 });
    assert.equal(await answer.getAttribute("data-state"), "done", (await answer.textContent()) ?? "");
    return (await answer.locator(".bubble").textContent())!;
  }

  it("promotes a finished run from its page, serves it in the chat within seconds, and rolls it back", async () => {
    const created = await fetch(`${server.url}/control/v1/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // An adapter on the shipped base, as a team's would be: ten steps from a fresh adapter, which answers otherwise.
      body: JSON.stringify({ recipe: "tiny-lora", dataset: "cn-chat", steps: 10 }),
    });
    assert.equal(created.status, 201);
    const runId = ((await created.json()) as { id: string }).id;
    await until(
      `${runId} to finish`,
      async () => ((await server.store.training.getRun(runId))?.state === "succeeded" ? true : undefined),
      300_000,
    );

    const chat = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const shipped = await ask(chat, "印度尼西亚的首都是哪里？");
    assert.match((await servedFrom(chat))!, /^local:benih-tiny-cn\.gguf$/);

    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await admin.goto(`${origin("cn.localhost")}/admin/runs/${runId}`);
    await admin.getByTestId("promote").click();
    const served = admin.getByTestId("served");
    await served.waitFor();
    assert.match((await served.textContent())!, /^Market cn serves this run's model as benih-tiny-cn since /);
    await admin.screenshot({ path: `${shots}/promotion-promoted.png`, fullPage: true });

    // The chat's next question: the run's model answers, under the same id, without a restart.
    await until("the run's model served", async () => ((await servedFrom(chat))?.includes(runId) ? true : undefined), 10_000);
    const promoted = await ask(chat, "印度尼西亚的首都是哪里？");
    assert.notEqual(promoted, shipped, "a ten-step adapter does not answer as the shipped one does");
    await chat.screenshot({ path: `${shots}/promotion-chat.png` });

    await admin.getByTestId("rollback").click();
    await until("the rollback shown", async () =>
      (await served.textContent())?.includes("serves the model the server started with as benih-tiny-cn") ? true : undefined,
    );
    assert.match(
      (await admin.getByTestId("promotions").textContent())!,
      new RegExp(`benih-tiny-cn ↶ the model the server started with.*benih-tiny-cn → run ${runId}`),
    );
    await admin.screenshot({ path: `${shots}/promotion-rolled-back.png`, fullPage: true });
    assert.match((await servedFrom(chat))!, /^local:benih-tiny-cn\.gguf$/);
    assert.equal(await ask(chat, "印度尼西亚的首都是哪里？"), shipped);
    await admin.close();
    await chat.close();
  });
});
