import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { startServer } from "../harness.ts";
import { cnNorthTraining } from "../training-config.ts";

const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const cli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

const yaml = `auth: { required: true }
${cnNorthTraining(600)}`;

describe("the control plane in the server", () => {
  it("is configured by benih.yaml: agents by region token, runs only with an admin key", async () => {
    const server = await startServer({ yaml, env: { BENIH_ADMIN_KEY: "bk-admin-secret-for-tests" } });
    try {
      const post = (path: string, token: string, body: unknown) =>
        fetch(server.url + path, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const cluster = {
        cluster: { id: "bj-1", region: "cn-north", operator: "home", nodes: [{ id: "n1", accelerator: "H20", count: 8, free: 8 }] },
      };
      assert.equal((await post("/control/v1/agents", "not-a-token", cluster)).status, 401);
      assert.equal((await post("/control/v1/agents", "agent-token-cn-north-0001", cluster)).status, 200);
      const user = (await server.store.apiKeys.create("someone")).key;
      assert.equal((await post("/control/v1/runs", user, { recipe: "tiny", dataset: "cn-chat", steps: 10 })).status, 403);
      const created = await post("/control/v1/runs", "bk-admin-secret-for-tests", { recipe: "tiny", dataset: "cn-chat", steps: 10 });
      assert.equal(created.status, 201);
      const runId = ((await created.json()) as { id: string; placement: { summary: string } }).id;

      // The same through the CLI.
      const env = { BENIH_URL: server.url, BENIH_API_KEY: "bk-admin-secret-for-tests" };
      const refused = await cli(["runs", "create", "--dataset", "cn-chat", "--steps", "10", "--accelerator", "H100"], env);
      assert.match(refused.stderr, /no cluster may take this run:\n {2}bj-1: H100 is not allowed in cn-north since 2023-10-17/);
      const made = await cli(["runs", "create", "--dataset", "cn-chat", "--steps", "10"], env);
      assert.match(made.stdout, /^run-\w+: placed on bj-1\/n1 \(1 × H20\) in cn-north\n$/);
      assert.match((await cli(["runs", "list"], env)).stdout, new RegExp(`${runId} +placed +step 0/10 +cn-chat on bj-1`));
      assert.match((await cli(["runs", "show", runId], env)).stdout, /history:\n.*- → queued: created\n.*queued → placed: placed on bj-1/);
      const conflict = await cli(["runs", "pause", runId], env);
      assert.match(conflict.stderr, new RegExp(`pause needs a run that is running; run ${runId} is placed`));
      assert.match(
        (await cli(["fleet"], env)).stdout,
        /^cn-north:\n {2}bj-1 \(home\): n1 6\/8 × H20 free\n$/,
        "the two placed runs use two",
      );
    } finally {
      await server.close();
    }
  });

  it("keeps a cluster in the region that registered it first, across a restart of the server", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "benih-owners-"));
    const twoRegions = `auth: { required: true }
training:
  heartbeatTimeoutSeconds: 600
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
    - { region: my-johor, token: agent-token-my-johor-0001 }
  datasets:
    - { id: global-chat, market: global, region: my-johor, source: global }
  rules:
    accelerators: []
    preference: [my-johor, cn-north]
`;
    const start = () => startServer({ yaml: twoRegions, env: { BENIH_ADMIN_KEY: "bk-admin-secret-for-tests", BENIH_DATA_DIR: dataDir } });
    const cluster = (region: string) => ({
      cluster: { id: "jb-1", region, operator: "home", nodes: [{ id: "n1", accelerator: "B200", count: 8, free: 8 }] },
    });
    let server = await start();
    try {
      const call = async (method: string, path: string, token: string, body?: unknown) => {
        const res = await fetch(server.url + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, json: text ? JSON.parse(text) : undefined };
      };
      const johor = (await call("POST", "/control/v1/agents", "agent-token-my-johor-0001", cluster("my-johor"))).json.agentId as string;
      const grab = await call("POST", "/control/v1/agents", "agent-token-cn-north-0001", cluster("cn-north"));
      assert.equal(grab.status, 409);
      assert.match(grab.json.error.message, /^cluster jb-1 belongs to region my-johor, whose agent registered it first/);
      assert.equal((await call("POST", `/control/v1/agents/${johor}/heartbeat`, "agent-token-my-johor-0001")).status, 204);
      assert.equal((await call("GET", `/control/v1/agents/${johor}/commands?waitMs=0`, "agent-token-my-johor-0001")).status, 200);
      const fleet = async () =>
        (await call("GET", "/control/v1/fleet", "bk-admin-secret-for-tests")).json.clusters.map((c: { id: string; region: string }) => [
          c.id,
          c.region,
        ]);
      assert.deepEqual(await fleet(), [["jb-1", "my-johor"]]);
      await server.close();
      // Restarted, the plane still knows the agents (the store keeps them): one from the wrong region is still refused.
      server = await start();
      try {
        assert.equal((await call("POST", "/control/v1/agents", "agent-token-cn-north-0001", cluster("cn-north"))).status, 409);
        assert.deepEqual(await fleet(), [["jb-1", "my-johor"]]);
        const back = await call("POST", "/control/v1/agents", "agent-token-my-johor-0001", cluster("my-johor"));
        assert.equal(back.status, 200);
        assert.equal((await call("POST", `/control/v1/agents/${back.json.agentId}/heartbeat`, "agent-token-my-johor-0001")).status, 204);
        assert.deepEqual(await fleet(), [["jb-1", "my-johor"]]);
      } finally {
        await server.close();
      }
    } catch (err) {
      await server.close().catch(() => {});
      throw err;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a bad training section with the file, line and key", async () => {
    await assert.rejects(
      startServer({ yaml: "training:\n  agents:\n    - { region: sg, token: short }\n" }),
      /test\.yaml:3: training\.agents\[0\]\.token: use a token of at least 16 characters/,
    );
  });
});
