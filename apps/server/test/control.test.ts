import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startServer } from "./harness.ts";

const yaml = `
auth: { required: true }
training:
  heartbeatTimeoutSeconds: 5
  agents:
    - { region: cn-north, token: agent-token-cn-north-0001 }
  datasets:
    - { id: cn-chat, market: cn, region: cn-north, source: cn, flags: [personal-information] }
  rules:
    accelerators:
      - { regions: [cn-north], allow: [H20], effective: "2023-10-17", source: "US export controls, 2023-10-17" }
    preference: [cn-north]
`;

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
      assert.match(((await created.json()) as { placement: { summary: string } }).placement.summary, /placed on bj-1\/n1 \(1 × H20\) in cn-north/);
    } finally {
      await server.close();
    }
  });

  it("refuses a bad training section with the file, line and key", async () => {
    await assert.rejects(startServer({ yaml: "training:\n  agents:\n    - { region: sg, token: short }\n" }), /test\.yaml:3: training\.agents\[0\]\.token: use a token of at least 16 characters/);
  });
});
