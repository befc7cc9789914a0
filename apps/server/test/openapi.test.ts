import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { routeTable } from "@benih/gateway";
import { startServer } from "./harness.ts";

describe("/openapi.json", () => {
  it("describes the server's HTTP API, and every path it names is served", async () => {
    const server = await startServer({
      yaml: `
training:
  agents: [{ region: cn-north, token: agent-token-cn-north-0001 }]
  datasets: [{ id: cn-chat, market: cn, region: cn-north, source: cn }]
`,
    });
    try {
      const res = await fetch(`${server.url}/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as {
        openapi: string;
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>>;
      };
      assert.equal(doc.openapi, "3.1.0");
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => [method.toUpperCase(), path] as const),
      );
      for (const [method, path] of documented) {
        assert.ok(
          server.app.hasRoute({ method, url: path.replace(/\{model\}/, "*").replace(/\{(\w+)\}/g, ":$1") }),
          `${method} ${path} is documented but not served`,
        );
      }
      // And the reverse: every API route the server answers is documented (static files and /health aside).
      const documentedSet = new Set(documented.map(([method, path]) => `${method} ${path.replace(/\{(\w+)\}/g, ":$1")}`));
      const served = routeTable(server.app).filter(
        (r) => /^\/(v1|control\/v1)\//.test(r.url) && r.method !== "HEAD" && r.method !== "OPTIONS",
      );
      assert.ok(served.some((r) => r.url === "/v1/settings"));
      const undocumented = served.map((r) => `${r.method} ${r.url.replace(/\*$/, ":model")}`).filter((r) => !documentedSet.has(r));
      assert.deepEqual(undocumented, [], "served but missing from /openapi.json");
      for (const path of ["/v1/chat/completions", "/v1/conversations", "/v1/conversations/{id}/messages", "/control/v1/runs"])
        assert.ok(doc.paths[path], `${path} is documented`);
      // Request bodies come from the schemas the routes check.
      const post = doc.paths["/v1/conversations/{id}/messages"]!.post!.requestBody!.content["application/json"]!.schema as {
        properties: Record<string, unknown>;
        required: string[];
        additionalProperties: boolean;
      };
      assert.deepEqual(Object.keys(post.properties), ["content", "parentId", "model", "skill", "attachments", "images", "options"]);
      assert.deepEqual([post.required, post.additionalProperties], [["content"], false]);
      const chat = doc.paths["/v1/chat/completions"]!.post!.requestBody!.content["application/json"]!.schema as {
        properties: Record<string, unknown>;
      };
      assert.ok("messages" in chat.properties && "stream" in chat.properties);
    } finally {
      await server.close();
    }
  });
});
