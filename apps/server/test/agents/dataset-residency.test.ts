import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { runDetail } from "@benih/contracts";
import { startServer } from "../harness.ts";
import { agentCommand, controlApi, threeRegionTraining } from "../training-config.ts";
import { filesHolding } from "../disk.ts";
import { until } from "../until.ts";

process.env.BENIH_TRAINER_THREADS ??= "1";

// Residency of an uploaded dataset: the cn dataset goes through the home plane's API (with `benih dataset upload`)
// to cn-north's agent, which keeps it; a run on it trains there. Its bytes and checkpoints are only in cn-north's
// folder, the agents of sg and my-johor never see a path of them, and only metrics and scores reach home.
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const benih = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
const root = mkdtempSync(join(tmpdir(), "benih-residency-"));
const yaml = threeRegionTraining(30, "sg, my-johor, cn-north");
const agents: ChildProcess[] = [];
after(() => {
  for (const a of agents) a.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("a dataset uploaded for market cn", () => {
  it("is kept and trained on only in cn-north; metrics and scores reach the home plane", async () => {
    const data = join(root, "cn-data");
    const built = await benih(["dataset", "build", "--dataset", "cn", "--out", data]);
    assert.equal(built.code, 0, built.stderr);
    const server = await startServer({ yaml });
    const logs = new Map<string, string>();
    try {
      const agent = (cluster: string, region: string, token: string, node: string) => {
        const p = spawn(
          process.execPath,
          agentCommand({ url: server.url, region, token, cluster, nodes: [node], runs: join(root, region), checkpointEvery: 20 }),
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        logs.set(region, "");
        p.stderr!.on("data", (d: Buffer) => logs.set(region, logs.get(region) + d.toString()));
        agents.push(p);
      };
      agent("bj-1", "cn-north", "agent-token-cn-north-0001", "g0=H20:8");
      agent("johor-1", "my-johor", "agent-token-my-johor-0001", "g0=B200:8");
      agent("sg-1", "sg", "agent-token-sg-000000001", "cpu=CPU:1");
      const api = controlApi(server.url);
      await until("three agents", async () => ((await api("GET", "/control/v1/fleet")).json.clusters.length === 3 ? true : undefined));

      const env = { BENIH_URL: server.url };
      const up = await benih(["dataset", "upload", join(data, "train.jsonl"), "--market", "cn", "--name", "cn-upload"], env);
      assert.equal(up.code, 0, up.stderr);
      // The built dataset as its region reads it: questions of digits and signs alone read as no language, and a few
      // small sums drawn twice.
      const rows = readFileSync(join(data, "train.jsonl"), "utf8").trim().split("\n");
      const other = rows.filter((r) => !/\p{Script=Han}/u.test(JSON.parse(r).question)).length;
      // An example repeats another when it asks and answers the same, whatever else its line says.
      const same = rows.map((r) => JSON.parse(r)).map((e) => JSON.stringify([e.system ?? "", e.question, e.answer, e.turns ?? []]));
      const repeated = same.length - new Set(same).size;
      assert.ok(other > 0 && repeated > 0);
      assert.match(
        up.stdout,
        new RegExp(
          `^cn-upload \\(train\\) is kept in cn-north for market cn\\n\\d+ bytes, ${rows.length} lines, ${rows.length} examples \\(zh ${rows.length - other}, other ${other}\\)\\n${repeated} duplicates:\\n {2}line \\d+ repeats line \\d+\\n`,
        ),
      );
      const evalUp = await benih(
        ["dataset", "upload", join(data, "eval.jsonl"), "--market", "cn", "--name", "cn-upload", "--split", "eval"],
        env,
      );
      assert.equal(evalUp.code, 0, evalUp.stderr);

      // sg is preferred, but the dataset's region decides.
      const created = await api("POST", "/control/v1/runs", { recipe: "micro", dataset: "cn-upload", steps: 60 });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      assert.equal(created.json.placement.placed.cluster, "bj-1");
      const id = created.json.id as string;
      await until(
        "the run to finish",
        async () => ((await server.store.training.getRun(id))?.state === "succeeded" ? true : undefined),
        240_000,
      );

      const cnNorth = join(root, "cn-north");
      const sample = readFileSync(join(data, "train.jsonl"), "utf8").split("\n")[7]!;
      assert.deepEqual(filesHolding(cnNorth, sample), [join(cnNorth, "datasets", "cn-upload", "train.jsonl")]);
      for (const region of ["sg", "my-johor"]) {
        assert.deepEqual(existsSync(join(root, region)) ? filesHolding(join(root, region), "") : [], [], `${region} keeps nothing`);
        assert.doesNotMatch(logs.get(region)!, /cn-upload|run-/, `${region}'s agent never heard of the dataset or the run`);
      }
      assert.deepEqual(filesHolding(server.dataDir, sample), [], "the home plane keeps none of its bytes");

      const detail = runDetail.parse((await api("GET", `/control/v1/runs/${id}`)).json);
      assert.ok(detail.checkpoints.length > 0);
      for (const c of detail.checkpoints) assert.ok(c.location.startsWith(join(cnNorth, id)), c.location);
      assert.equal((await server.store.training.metrics(id)).length, 60);
      const all = detail.scores.find((s) => s.name === "all exact");
      const tail = (await server.store.training.logTail(id, 5)).map((l) => l.text).join("\n");
      assert.ok(all && all.count! > 0, `no scores; the run's log ends:\n${tail}`);
      assert.ok(detail.model?.location.startsWith(join(cnNorth, id)), "its model stays in cn-north too");
    } finally {
      await server.close();
    }
  });
});
