import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RegionalAgent } from "@benih/control";
import { benihTrainers, trainArgs } from "../src/training-agent.ts";
import { startServer } from "./harness.ts";
import { cnNorthTraining, controlApi } from "./training-config.ts";
import { filesHolding } from "./disk.ts";
import { until } from "./until.ts";

// A dataset uploaded through the home plane goes to the agent of its market's region as it arrives, is checked
// there line by line, and is kept only there; the home plane answers with the agent's report.
let server: Awaited<ReturnType<typeof startServer>>;
let agent: RegionalAgent;
let agentRun: Promise<void>;
let runs: string;
let control: ReturnType<typeof controlApi>;

const line = (question: string, answer: string, extra: object = {}) => JSON.stringify({ question, answer, ...extra });

before(async () => {
  runs = mkdtempSync(join(tmpdir(), "benih-cn-north-"));
  // Besides cn-north's: market sea's data lives in sg, where no agent is connected; uploads are at most 10 KiB.
  const yaml = cnNorthTraining(600).replace(
    "  datasets:\n",
    "  datasetMaxMb: 0.01\n  datasets:\n    - { id: sea-chat, market: sea, region: sg, source: global }\n",
  );
  server = await startServer({ yaml });
  control = controlApi(server.url);
  agent = new RegionalAgent({
    controlPlane: server.url,
    token: "agent-token-cn-north-0001",
    cluster: { id: "bj-1", region: "cn-north", operator: "home", nodes: [{ id: "n1", accelerator: "H20", count: 8, free: 8 }] },
    runsDir: runs,
    executor: benihTrainers(),
    trainArgs: trainArgs(50),
    log: () => {},
  });
  agentRun = agent.run();
  await until("the agent", async () => ((await control("GET", "/control/v1/fleet")).json.clusters.length === 1 ? true : undefined));
});
after(async () => {
  agent?.close();
  await agentRun;
  await server?.close();
  rmSync(runs, { recursive: true, force: true });
});

const upload = async (query: string, body: string) => {
  const res = await fetch(`${server.url}/control/v1/datasets?${query}`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
  });
  return { status: res.status, json: (await res.json()) as any };
};

describe("datasets uploaded through the control plane", () => {
  it("keeps a whole dataset only in its region's agent folder and answers with the agent's report", async () => {
    const body = `${[
      line("印度尼西亚的首都是哪里？ unique-upload-marker", "雅加达。"),
      line("What is the capital of Kenya?", "Nairobi."),
      "",
      line("Apa ibu kota Jepang?", "Tokyo."),
      line("What is the capital of Kenya?", "Nairobi."),
    ].join("\n")}\n`;
    const r = await upload("market=cn&name=cn-support", body);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(
      { ...r.json, bytes: undefined },
      {
        dataset: "cn-support",
        split: "train",
        market: "cn",
        region: "cn-north",
        accepted: true,
        bytes: undefined,
        lines: 4,
        examples: 4,
        broken: [],
        brokenCount: 0,
        duplicates: [{ line: 5, sameAs: 2 }],
        duplicateCount: 1,
        languages: { zh: 1, en: 2, id: 1 },
      },
    );
    assert.equal(r.json.bytes, Buffer.byteLength(body));
    const kept = join(runs, "datasets", "cn-support", "train.jsonl");
    assert.equal(readFileSync(kept, "utf8"), body, "the region keeps the bytes as sent");
    assert.deepEqual(filesHolding(server.dataDir, "unique-upload-marker"), [], "the home plane keeps none of them");
    const listed = (await control("GET", "/control/v1/datasets")).json.datasets.find((d: { id: string }) => d.id === "cn-support");
    assert.deepEqual(listed, {
      id: "cn-support",
      market: "cn",
      region: "cn-north",
      source: join(runs, "datasets", "cn-support"),
      flags: [],
      transfers: [],
    });

    // A split added to it, in the same region; the name cannot be taken again.
    const evalSplit = await upload("market=cn&name=cn-support&split=eval", `${line("肯尼亚的首都是哪里？", "内罗毕。")}\n`);
    assert.equal(evalSplit.status, 201, JSON.stringify(evalSplit.json));
    assert.ok(existsSync(join(runs, "datasets", "cn-support", "eval.jsonl")));
    const again = await upload("market=cn&name=cn-support", body);
    assert.equal(again.status, 409);
    assert.match(again.json.error.message, /there is a dataset cn-support already/);
  });

  it("refuses a dataset with broken lines, naming them, and keeps nothing of it", async () => {
    const body = [
      line("What is the capital of Peru?", "Lima."),
      "{not json",
      line("What is the capital of Chile?", ""),
      "[1, 2]",
      line("What is the capital of Peru?", "Lima."),
    ].join("\n");
    const r = await upload("market=cn&name=cn-broken", body);
    assert.equal(r.status, 422);
    assert.match(r.json.error.message, /^cn-north refused dataset cn-broken: 3 of its 5 lines are not examples \(line 2: not valid JSON/);
    const report = r.json.error.details;
    assert.deepEqual(
      report.broken.map((b: { line: number }) => b.line),
      [2, 3, 4],
    );
    assert.equal(report.broken[1].problem, '"answer" must be a non-empty string');
    assert.equal(report.broken[2].problem, "not a JSON object");
    assert.deepEqual(report.duplicates, [{ line: 5, sameAs: 1 }]);
    assert.equal(existsSync(join(runs, "datasets", "cn-broken")), false);
    assert.deepEqual(
      readdirSync(join(runs, "datasets")).filter((f) => f.startsWith(".")),
      [],
      "no half-received folder is left",
    );
    assert.equal(
      (await control("GET", "/control/v1/datasets")).json.datasets.some((d: { id: string }) => d.id === "cn-broken"),
      false,
    );
  });

  it("refuses a market without a training region, a region without an agent, bad names and oversized bodies", async () => {
    const body = `${line("What is 2 plus 2?", "4")}\n`;
    const noRegion = await upload("market=global&name=g1", body);
    assert.equal(noRegion.status, 422);
    assert.match(noRegion.json.error.message, /market global has no training region/);
    const noAgent = await upload("market=sea&name=sea1", body);
    assert.equal(noAgent.status, 409);
    assert.match(
      noAgent.json.error.message,
      /no agent of region sg is connected: market sea's datasets are handed only to an agent in sg and never kept here/,
    );
    assert.equal((await upload("market=cn&name=Bad Name", body)).status, 400);
    let sent = 0;
    const big = await upload("market=cn&name=cn-big", body.repeat(1000));
    assert.equal(big.status, 413);
    assert.match(big.json.error.message, /the dataset is \d+ bytes; the most is 10486/);
    // Sent in chunks, without a Content-Length: cut as it passes the limit, and nothing is kept.
    const chunked = await fetch(`${server.url}/control/v1/datasets?market=cn&name=cn-big`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: new ReadableStream({
        pull(c) {
          c.enqueue(new TextEncoder().encode(body.repeat(50)));
          if (++sent === 20) c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.match(((await chunked.json()) as { error: { message: string } }).error.message, /larger than 10486 bytes/);
    assert.equal(existsSync(join(runs, "datasets", "cn-big")), false);
    assert.ok(statSync(join(runs, "datasets")).isDirectory());
  });
});
