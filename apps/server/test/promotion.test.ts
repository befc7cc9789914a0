import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loraAdapterToGguf, readLlamaGguf, seededRandom, writeTestModel } from "@benih/gguf";
import { LoraLayout } from "@benih/trainer";
import { request } from "undici";
import { startServer } from "./harness.ts";
import { marketYaml } from "./market-yaml.ts";
import { cnNorthTraining, controlApi } from "./training-config.ts";

// A finished run's adapter promoted to market cn's chat model while the server runs, and rolled back: served at
// once under the market's model id, refused for runs that did not finish or belong to another market, audited.
let server: Awaited<ReturnType<typeof startServer>>;
let dir: string;
let control: ReturnType<typeof controlApi>;
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A LoRA adapter of `seed` on the test base. */
function adapter(baseBytes: Uint8Array, seed: number, baseSha = sha(baseBytes)): Uint8Array {
  const base = readLlamaGguf(baseBytes, "base");
  const layout = new LoraLayout(base.config, { rank: 4, alpha: 8, targets: ["wq", "wk", "wv", "wo", "gate", "up", "down"] });
  const weights = layout.init(seed);
  const rnd = seededRandom(seed);
  for (const s of layout.slots) for (let i = 0; i < s.rows * 4; i++) weights[s.b + i] = (rnd() * 2 - 1) * 0.5;
  return loraAdapterToGguf({
    name: `adapter-${seed}`,
    architecture: "llama",
    rank: 4,
    alpha: 8,
    base: { name: "benih-test-base", sha256: baseSha },
    pairs: layout.pairs(weights),
  });
}

const files = {} as Record<"trained" | "stale", { path: string; bytes: Uint8Array }>;
let yaml: string;
let models: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "benih-promotion-"));
  models = join(dir, "models");
  const runs = join(dir, "cn-north-runs");
  for (const d of [models, runs]) mkdirSync(d);
  const base = writeTestModel({ seed: 9, name: "benih-test-base" });
  writeFileSync(join(models, "benih-test-base.gguf"), base);
  writeFileSync(join(models, "benih-test-cn.gguf"), adapter(base, 1));
  for (const [name, bytes] of [
    ["trained", adapter(base, 2)],
    ["stale", adapter(base, 3, "0".repeat(64))],
  ] as const) {
    files[name] = { path: join(runs, `${name}.gguf`), bytes };
    writeFileSync(files[name].path, bytes);
  }
  const market = (id: string, hosts: string, allow: string, chat: string) =>
    marketYaml(id, hosts, `\n    defaults: { chat: ${chat} }`).replace("allow: [openai/*]", `allow: [${allow}]`);
  yaml = `markets:${market("cn", "cn.localhost", "local/benih-test-cn", "benih-test-cn")}${market("global", "localhost, 127.0.0.1", "local/benih-test-base", "benih-test-base")}
${cnNorthTraining(600)}`;
  server = await startServer({ yaml, env: { BENIH_MODELS_DIR: models } });
  control = controlApi(server.url);
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What market cn's chat model answers now, greedily. */
async function cnAnswer(url = server.url): Promise<string> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { host: "cn.localhost", "content-type": "application/json" },
    body: JSON.stringify({
      model: "benih-test-cn",
      messages: [{ role: "user", content: "capital of Indonesia?" }],
      max_tokens: 12,
      temperature: 0,
    }),
  });
  const json = (await res.body.json()) as { choices: Array<{ message: { content: string } }> };
  assert.equal(res.statusCode, 200, JSON.stringify(json));
  return json.choices[0]!.message.content;
}

/** What market cn's model list says its chat model is served from. */
async function servedFrom(): Promise<string> {
  const res = await request(`${server.url}/v1/models`, { headers: { host: "cn.localhost" } });
  const list = (await res.body.json()) as { data: Array<{ id: string; owned_by: string }> };
  return list.data.find((m) => m.id === "benih-test-cn")!.owned_by;
}

/** A run of dataset cn-chat that a cn-north agent (this test, over HTTP) runs and finishes with `model`. */
async function finishedRun(model: { path: string; bytes: Uint8Array } | undefined, finish = true): Promise<string> {
  const agentCall = (path: string, body: unknown, agentId?: string) =>
    fetch(server.url + path, {
      method: "POST",
      headers: {
        authorization: "Bearer agent-token-cn-north-0001",
        "content-type": "application/json",
        ...(agentId && { "x-benih-agent": agentId }),
      },
      body: JSON.stringify(body),
    });
  const cluster = { id: "bj-1", region: "cn-north", operator: "home", nodes: [{ id: "n1", accelerator: "H20", count: 8, free: 8 }] };
  const { agentId } = (await (await agentCall("/control/v1/agents", { cluster })).json()) as { agentId: string };
  const created = await control("POST", "/control/v1/runs", { recipe: "tiny", dataset: "cn-chat", steps: 10 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const id = created.json.id as string;
  assert.equal((await agentCall(`/control/v1/runs/${id}/reports`, { state: "running" }, agentId)).status, 204);
  if (finish) {
    const report = {
      state: "succeeded",
      ...(model && {
        model: { location: model.path, bytes: model.bytes.length, sha256: sha(model.bytes), kind: "adapter" },
      }),
    };
    assert.equal((await agentCall(`/control/v1/runs/${id}/reports`, report, agentId)).status, 204);
  }
  return id;
}

describe("promoting a finished run's model to a market", () => {
  it("refuses a run that has not finished, one without a model, and one of another market", async () => {
    const running = await finishedRun(files.trained, false);
    const early = await control("POST", `/control/v1/runs/${running}/promote`, { market: "cn" });
    assert.equal(early.status, 409);
    assert.match(early.json.error.message, new RegExp(`run ${running} has not finished \\(it is running\\)`));

    const empty = await finishedRun(undefined);
    const none = await control("POST", `/control/v1/runs/${empty}/promote`, { market: "cn" });
    assert.equal(none.status, 409);
    assert.match(none.json.error.message, /succeeded without a model to serve/);

    const done = await finishedRun(files.trained);
    const elsewhere = await control("POST", `/control/v1/runs/${done}/promote`, { market: "global" });
    assert.equal(elsewhere.status, 422);
    assert.match(elsewhere.json.error.message, /trained on market cn's data \(dataset cn-chat\): its model is served only in market cn/);
    assert.equal((await control("POST", "/control/v1/runs/run-nope/promote", { market: "cn" })).status, 404);
    assert.equal((await control("POST", `/control/v1/runs/${done}/promote`, { markt: "cn" })).status, 400);
    assert.equal((await control("GET", "/control/v1/promotions")).json.promotions.length, 0, "nothing was promoted");
  });

  it("serves the run's adapter as the market's model at once, rolls it back, and audits both", async () => {
    const shipped = await cnAnswer();
    const runId = await finishedRun(files.trained);
    const detail = await control("GET", `/control/v1/runs/${runId}`);
    assert.equal(detail.json.model.sha256, sha(files.trained.bytes));

    const promoted = await control("POST", `/control/v1/runs/${runId}/promote`, { market: "cn" });
    assert.equal(promoted.status, 201, JSON.stringify(promoted.json));
    assert.deepEqual(
      [promoted.json.market, promoted.json.model, promoted.json.action, promoted.json.runId],
      ["cn", "benih-test-cn", "promote", runId],
    );
    const trained = await cnAnswer();
    assert.notEqual(trained, shipped, "the promoted adapter answers, not the shipped one");
    assert.match(await servedFrom(), new RegExp(`^local:${runId}-promo-\\w+\\.gguf$`), "the model list says so at once");
    const card = readdirSync(join(server.dataDir, "promoted")).find((f) => f.endsWith(".md"))!;
    assert.match(
      readFileSync(join(server.dataDir, "promoted", card), "utf8"),
      new RegExp(
        `^# benih-test-cn in market cn: run ${runId}\n\nPromoted .* the LoRA adapter of run ${runId} \\(recipe tiny, dataset cn-chat, `,
        "m",
      ),
    );
    const list = await control("GET", "/control/v1/promotions");
    assert.deepEqual(
      list.json.serving.map((s: { market: string; model: string; runId: string }) => [s.market, s.model, s.runId]),
      [["cn", "benih-test-cn", runId]],
    );

    const back = await control("POST", "/control/v1/promotions/rollback", { market: "cn" });
    assert.equal(back.status, 201);
    assert.equal(back.json.runId, null);
    assert.equal(await cnAnswer(), shipped, "the shipped adapter answers again");
    assert.equal(await servedFrom(), "local:benih-test-cn.gguf");
    const again = await control("POST", "/control/v1/promotions/rollback", { market: "cn" });
    assert.equal(again.status, 409);
    assert.match(again.json.error.message, /nothing to roll back: market cn serves benih-test-cn as the server was started with it/);

    // A server started on the same store serves what the newest promotion left.
    assert.equal((await control("POST", `/control/v1/runs/${runId}/promote`, { market: "cn" })).status, 201);
    const restarted = await startServer({ yaml, env: { BENIH_MODELS_DIR: models, BENIH_DATA_DIR: server.dataDir } });
    try {
      assert.equal(await cnAnswer(restarted.url), trained);
    } finally {
      await restarted.close();
    }
    assert.equal((await control("POST", "/control/v1/promotions/rollback", { market: "cn" })).status, 201);

    const audit = await server.markets!.stores.get("cn")!.accounts.auditLog(10);
    assert.deepEqual(
      audit.map((a) => [a.action, a.target]),
      [
        ["model.rollback", "benih-test-cn"],
        ["model.promote", "benih-test-cn"],
        ["model.rollback", "benih-test-cn"],
        ["model.promote", "benih-test-cn"],
      ],
    );
    assert.equal((await server.markets!.stores.get("global")!.accounts.auditLog(10)).length, 0);
  });

  it("changes nothing when the run's model cannot be served, or changed since it was reported", async () => {
    const shipped = await cnAnswer();
    const stale = await finishedRun(files.stale);
    const refused = await control("POST", `/control/v1/runs/${stale}/promote`, { market: "cn" });
    assert.equal(refused.status, 422);
    assert.match(
      refused.json.error.message,
      /cannot be served as benih-test-cn: .*is a LoRA adapter for another version of benih-test-base/,
    );

    const changed = await finishedRun(files.trained);
    writeFileSync(files.trained.path, files.stale.bytes);
    try {
      const r = await control("POST", `/control/v1/runs/${changed}/promote`, { market: "cn" });
      assert.equal(r.status, 409);
      assert.match(r.json.error.message, /has changed since the run reported it/);
    } finally {
      writeFileSync(files.trained.path, files.trained.bytes);
    }
    assert.equal(await cnAnswer(), shipped);
  });
});
