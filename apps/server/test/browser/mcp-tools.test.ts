import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { everythingBin, startLoopbackMcp } from "../mcp-loopback.ts";
import { browserSkip, launchChromium, shots } from "./chromium.ts";

// MCP tools in real Chromium against the whole server: an agent made in the editor with server-everything's echo
// (over stdio) answers, its call shown under the answer; a tool of a loopback Streamable HTTP server that asks
// first shows the question, and Approve lets it run. The fake upstream's `call:<name>` model calls tool <name>
// with the question (JSON) as its arguments, then answers "Tool said: <the first line of its result>".
describe("MCP tools in Chromium", { skip: browserSkip }, () => {
  let upstream: FakeServer;
  let loopback: Awaited<ReturnType<typeof startLoopbackMcp>>;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    upstream = await startFakeOpenAI({ models: [] });
    loopback = await startLoopbackMcp("browser-token");
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `
routes:
  - { model: echo-tool, targets: [{ provider: openai, model: "call:everything__echo" }] }
  - { model: delete-tool, targets: [{ provider: openai, model: "call:local__delete_file" }] }
mcp:
  - name: everything
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(everythingBin)}, stdio]
    tools: [echo]
  - name: local
    url: ${loopback.url}
    headers: { authorization: "Bearer browser-token" }
    tools: [delete_file]
    confirm: [delete_file]
`,
    });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await loopback?.close();
    await upstream?.close();
  });

  const answered = (page: Page) =>
    page.getByTestId("assistant-turn").last().and(page.locator('[data-state="done"], [data-state="failed"]')).waitFor({ timeout: 30_000 });

  /** Makes an agent in the editor with the MCP tool `id`, and picks it with `model`. */
  async function agentWith(page: Page, name: string, id: string, model: string) {
    await page.getByTestId("model").selectOption(model);
    await page.getByTestId("agent").selectOption("+new");
    await page.getByTestId("agent-name").fill(name);
    const tool = page.getByTestId(`agent-tool-${id}`);
    await tool.check();
    await page.getByRole("checkbox", { name: /tool calling/ }).check();
    return tool;
  }

  it("makes an agent with an MCP tool in the editor; its answer shows the call with its arguments and result", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await agentWith(page, "Echoer", "mcp:everything/echo", "echo-tool");
    const tools = page.getByTestId("agent-mcp-tools");
    assert.match((await tools.textContent()) ?? "", /everything\/echo.*Echoes back the input string/);
    assert.match((await tools.textContent()) ?? "", /local\/delete_file · asks first/);
    await page.screenshot({ path: `${shots}/mcp-agent-editor.png` });
    await page.getByTestId("agent-save").click();
    await page.getByTestId("agent-editor").waitFor({ state: "detached" });

    await page.getByTestId("input").fill('{"message":"hello from Chromium"}');
    await page.getByTestId("input").press("Enter");
    await answered(page);
    const answer = page.getByTestId("assistant-turn").last();
    assert.match((await answer.textContent()) ?? "", /Tool said: Echo: hello from Chromium/);
    const call = answer.getByTestId("tool-call");
    assert.equal(await call.getAttribute("data-status"), "done");
    assert.equal(await call.getByTestId("tool-arguments").isVisible(), false, "closed until opened");
    await call.locator("summary").click();
    assert.deepEqual(JSON.parse((await call.getByTestId("tool-arguments").textContent()) ?? ""), { message: "hello from Chromium" });
    assert.equal(await call.getByTestId("tool-result").textContent(), "Echo: hello from Chromium");
    await page.screenshot({ path: `${shots}/mcp-tool-call.png` });
    await page.close();
  });

  it("asks before a tool that needs the person's OK, and Approve lets it run", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await agentWith(page, "Janitor", "mcp:local/delete_file", "delete-tool");
    await page.getByTestId("agent-save").click();
    await page.getByTestId("agent-editor").waitFor({ state: "detached" });
    const before = loopback.called.length;

    await page.getByTestId("input").fill('{"path":"old-notes.txt"}');
    await page.getByTestId("input").press("Enter");
    const confirm = page.getByTestId("tool-confirm");
    await confirm.waitFor();
    assert.match((await confirm.textContent()) ?? "", /Allow delete_file \(local\) to run with these arguments\?.*old-notes\.txt/s);
    assert.equal(loopback.called.length, before, "nothing runs before the OK");
    await page.screenshot({ path: `${shots}/mcp-confirm.png` });
    await page.getByTestId("tool-approve").click();
    await answered(page);
    const answer = page.getByTestId("assistant-turn").last();
    assert.match((await answer.textContent()) ?? "", /Tool said: deleted old-notes\.txt/);
    assert.equal(await page.getByTestId("tool-confirm").count(), 0);
    assert.equal(await answer.getByTestId("tool-call").getAttribute("data-status"), "done");
    assert.deepEqual(loopback.called.at(-1), { name: "delete_file", arguments: { path: "old-notes.txt" } });
    await page.screenshot({ path: `${shots}/mcp-approved.png` });
    await page.close();
  });
});
