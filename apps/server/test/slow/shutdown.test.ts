import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { freePort } from "../ports.ts";
import { until } from "../until.ts";
import { askInNewConversation, shownText } from "../answer-stream.ts";

// SIGTERM as an orchestrator sends it to a real `benih serve`: /ready fails at once while requests are still served
// for the drain, then answers in progress finish within the grace period, or are cut at its end with what came saved.
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "benih-shutdown-"));
const procs: ChildProcess[] = [];
let upstream: FakeServer;
before(async () => {
  upstream = await startFakeOpenAI({ models: [], chunkDelayMs: 50 }); // 3 characters every 50 ms
});
after(async () => {
  for (const p of procs) p.kill("SIGKILL");
  await upstream.close();
  rmSync(root, { recursive: true, force: true });
});

/** A `benih serve` of its own data folder, answering with `story` three characters at a time. */
async function serve(name: string, story: string, shutdown: string) {
  const port = await freePort();
  const config = join(root, `${name}.yaml`);
  writeFileSync(
    config,
    `server: { shutdown: ${shutdown} }\nproviders:\n  - { name: up, type: openai-compatible, baseURL: "${upstream.url}/v1", apiKey: sk-up, listModels: false }\nroutes:\n  - model: storyteller\n    targets: [{ provider: up, model: "say:${story}" }]\ntraining: { localAgent: false }\n`,
  );
  const env = {
    ...process.env,
    BENIH_DATA_DIR: join(root, name),
    BENIH_MODELS_DIR: join(root, "no-models"),
    PORT: String(port),
    LOG_LEVEL: "warn",
  };
  const child = spawn(process.execPath, [bin, "serve", "--config", config], { env, stdio: "ignore" });
  procs.push(child);
  const url = `http://127.0.0.1:${port}`;
  await until("the server", async () => ((await fetch(`${url}/ready`).catch(() => undefined))?.ok ? true : undefined));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url, exited, db: join(root, name, "benih.db") };
}

/** Asks for an answer in a new conversation; resolves once its first words have arrived. */
async function ask(url: string) {
  const { conversation, events } = await askInNewConversation(url, "storyteller");
  let received = "";
  while (!received.includes("event: delta")) received += (await events.read()).value ?? "";
  const rest = (async () => {
    try {
      for (;;) {
        const { value, done } = await events.read();
        if (done) return received;
        received += value;
      }
    } catch {
      return received; // cut off
    }
  })();
  return { conversation, rest };
}

describe("SIGTERM", () => {
  it("fails /ready at once, serves through the drain, and lets an answer in progress finish within the grace", async () => {
    const story = "A seed fell on the hill and waited for the rain to come.";
    const s = await serve("graceful", story, "{ drainSeconds: 1, graceSeconds: 10 }");
    const answer = await ask(s.url);
    s.child.kill("SIGTERM");
    await until("not ready", async () => ((await fetch(`${s.url}/ready`)).status === 503 ? true : undefined));
    const ready = (await (await fetch(`${s.url}/ready`)).json()) as { status: string };
    assert.equal(ready.status, "draining");
    const health = await fetch(`${s.url}/health`);
    assert.equal(health.status, 200, "still serving during the drain");
    assert.equal(health.headers.get("connection"), "close", "closing each connection, so none is kept alive past the drain");
    const events = await answer.rest;
    assert.equal(shownText(events), story, "the answer in progress was finished");
    assert.match(events, /event: done\ndata: \{"id":"[^"]+","status":"done"/);
    assert.equal(await s.exited, 0);
  });

  it("cuts what still runs at the end of the grace, keeping what came, and exits", async () => {
    const story = "Once upon a time, far away, there lived a seed that wanted to grow into a tree. ".repeat(3);
    const s = await serve("cut", story, "{ drainSeconds: 0, graceSeconds: 1 }");
    const answer = await ask(s.url);
    const t0 = Date.now();
    s.child.kill("SIGTERM");
    const events = await answer.rest;
    assert.equal(await s.exited, 0);
    assert.ok(Date.now() - t0 < 5_000, `exited ${Date.now() - t0} ms after SIGTERM, grace 1 s`);
    const sent = shownText(events);
    assert.ok(sent.length > 0 && sent.length < story.length, "cut part way");
    const db = new Database(s.db, { readonly: true });
    try {
      const saved = db
        .prepare("select content, status from messages where conversation_id = ? and role = 'assistant'")
        .get(answer.conversation) as {
        content: string;
        status: string;
      };
      assert.ok(["stopped", "interrupted", "streaming"].includes(saved.status), saved.status);
      assert.ok(saved.content.length > 0 && story.startsWith(saved.content), `kept what came: ${saved.content.length} characters`);
    } finally {
      db.close();
    }
  });
});
