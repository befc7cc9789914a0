import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { McpClients } from "../src/mcp-client/clients.ts";

// A server limited to some markets is neither offered to nor contacted for another market's agents. Both servers
// here are processes that exit at once: which of them a market's listing tried to reach shows in its errors.
describe("MCP servers limited to markets", () => {
  const exits = { command: process.execPath, args: ["-e", "process.exit(3)"], timeoutSeconds: 5 };
  const clients = new McpClients([
    { name: "cn-only", ...exits, tools: ["lookup"], markets: ["cn"] },
    { name: "everywhere", ...exits, tools: ["echo"] },
  ]);
  after(() => clients.close());

  it("offers a market's agents only the servers of their market and those of every market", () => {
    assert.deepEqual(clients.allowedIds("cn"), ["mcp:cn-only/lookup", "mcp:everywhere/echo"]);
    assert.deepEqual(clients.allowedIds("global"), ["mcp:everywhere/echo"]);
    assert.deepEqual(clients.allowedIds(undefined), ["mcp:everywhere/echo"]);
    assert.equal(clients.server("cn-only", "global"), undefined);
    assert.equal(clients.server("cn-only", "cn")?.config.name, "cn-only");
  });

  it("never starts another market's server, even when an agent names its tool", async () => {
    const global = await clients.toolsFor("global", ["mcp:cn-only/lookup", "mcp:everywhere/echo"]);
    assert.deepEqual(global.tools, []);
    assert.deepEqual(
      global.errors.map((e) => e.server),
      ["everywhere"],
    );
    const cn = await clients.toolsFor("cn");
    assert.deepEqual(cn.errors.map((e) => e.server).sort(), ["cn-only", "everywhere"]);
  });
});
