import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { joinTools } from "../src/mcp-client/join-tools.ts";
import type { Tools } from "../src/respond.ts";

const tools = (name: string, meta: Record<string, unknown>): Tools => ({
  definitions: [{ type: "function", function: { name, description: name, parameters: { type: "object" } } }],
  run: async () => `${name} ran`,
  meta: () => meta,
});

describe("tools of several kinds offered together", () => {
  it("runs each call with the tools that define it, and keeps every kind's calls", async () => {
    const skills = tools("calculator", { toolCalls: [{ id: "a", tool: "calculator" }], citations: [{ n: 1 }] });
    const mcp = tools("weather", { toolCalls: [{ id: "b", tool: "weather" }] });
    const joined = joinTools(skills, mcp)!;
    assert.equal(await joined.run({ id: "x", name: "weather", arguments: "{}" }), "weather ran");
    assert.equal(await joined.run({ id: "y", name: "calculator", arguments: "{}" }), "calculator ran");
    assert.deepEqual(joined.meta(), {
      toolCalls: [
        { id: "a", tool: "calculator" },
        { id: "b", tool: "weather" },
      ],
      citations: [{ n: 1 }],
    });
    assert.equal(joinTools(undefined, mcp), mcp);
  });
});
