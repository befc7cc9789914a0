import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { startServer } from "./harness.ts";
import { cnNorthTraining } from "./training-config.ts";

const bin = fileURLToPath(new URL("../bin/benih.mjs", import.meta.url));
const cli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }).catch((e: { code: number; stdout: string; stderr: string }) => e);

const yaml = `auth: { required: true }
${cnNorthTraining(600)}`;

describe("the control plane in the server", () => {
  it("is configured by benih.yaml: agents by region token, runs only with an admin key", async () => {
    const server = await startServer({ yaml, env: { BENIH_ADMIN_KEY: "bk-admin-secret-for-tests" } });
    try {
      const post = (path: string, token: string, body: unknown) =>
        fetch(server.url + path, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const cluster = { cluster: { id: "bj-1", region: "cn-north", operator: "home", nodes: [{ id: "n1", accelerator: "H20", count: 8, free: 8 }] } };
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
      assert.match((await cli(["fleet"], env)).stdout, /^cn-north:\n {2}bj-1 \(home\): n1 6\/8 × H20 free\n$/, "the two placed runs use two");
    } finally {
      await server.close();
    }
  });

  it("refuses a bad training section with the file, line and key", async () => {
    await assert.rejects(startServer({ yaml: "training:\n  agents:\n    - { region: sg, token: short }\n" }), /test\.yaml:3: training\.agents\[0\]\.token: use a token of at least 16 characters/);
  });
});
