import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { pdfOf } from "../documents.ts";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

// The thread as people meet it, in real Chromium against the whole server. The first suite's answers come from a
// loopback OpenAI server that streams 3 characters every 10 ms: `rich` a table, a link and a formula; `cite`
// "From [1]: <the first source>"; `long` eighty short paragraphs (a stream slow enough to scroll away from);
// `busy` the upstream's 429 with a retry-after too long to wait. The second suite uses the shipped benih.yaml and
// the committed models.
const skip = browserSkip;
const rich =
  "Capitals:\\n\\n| Country | Capital |\\n| --- | --- |\\n| Indonesia | Jakarta |\\n| Japan | Tokyo |\\n\\nSee https://example.org/capitals and $E = mc^2$.";
const long = Array.from({ length: 80 }, (_, i) => `Step ${i + 1} of a long walk through the rice fields.`).join("\\n\\n");
const orangutans = async () => Buffer.from(await pdfOf(["Cover page", "Orangutans live in the rainforests of Borneo and Sumatra."]));

/** Waits for answer number n (from 1) to be saved: done, stopped or failed. */
const answered = (page: Page, n: number, timeout = 30_000) =>
  page
    .getByTestId("assistant-turn")
    .nth(n - 1)
    .and(page.locator('[data-state="done"], [data-state="stopped"], [data-state="failed"]'))
    .waitFor({ timeout });

const ask = async (page: Page, model: string | null, text: string) => {
  if (model) await page.getByTestId("model").selectOption(model);
  await page.getByTestId("input").fill(text);
  await page.getByTestId("input").press("Enter");
};

describe("the thread in Chromium", { skip }, () => {
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    upstream = await startFakeOpenAI({ models: [], chunkDelayMs: 10 });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `
routes:
  - { model: rich, targets: [{ provider: openai, model: "say:${rich}" }] }
  - { model: cite, targets: [{ provider: openai, model: cite }] }
  - { model: long, targets: [{ provider: openai, model: "say:${long}" }] }
  - { model: busy, targets: [{ provider: openai, model: rate-limited-long }] }
`,
    });
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  it("renders a table, a link and a formula; copies the answer and keeps a thumbs-up across a reload (desktop, 390 px, both themes)", async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      permissions: ["clipboard-read", "clipboard-write"],
    });
    const page = await context.newPage();
    await page.goto(server.url);
    await ask(page, "rich", "Capitals, please");
    await answered(page, 1);
    const answer = page.getByTestId("assistant-turn").first();
    assert.deepEqual(await answer.locator("table tbody tr").allTextContents(), ["IndonesiaJakarta", "JapanTokyo"]);
    const link = answer.locator(".md a");
    assert.equal(await link.getAttribute("href"), "https://example.org/capitals");
    assert.equal(await link.getAttribute("target"), "_blank");
    await answer.locator('[data-testid="math"][data-typeset] .katex').waitFor();
    assert.equal(await answer.locator(".katex-mathml annotation").textContent(), "E = mc^2");

    await answer.getByTestId("copy-answer").click();
    await answer.getByTestId("copied").waitFor();
    assert.equal(await page.evaluate("navigator.clipboard.readText()"), rich.replaceAll("\\n", "\n"), "the answer's Markdown");

    const saved = page.waitForResponse((r) => r.url().endsWith("/feedback") && r.request().method() === "PUT");
    await answer.getByTestId("rate-up").click();
    assert.equal((await saved).status(), 200);
    await answer.locator('[data-testid="rate-up"][aria-pressed="true"]').waitFor();
    await page.reload();
    await answered(page, 1);
    const again = page.getByTestId("assistant-turn").first();
    assert.equal(await again.getByTestId("rate-up").getAttribute("aria-pressed"), "true", "the rating was saved");
    assert.equal(await again.getByTestId("rate-down").getAttribute("aria-pressed"), "false");
    await again.locator(".katex").waitFor();
    await page.screenshot({ path: `${shots}/thread-rich-1280.png` });

    for (const [scheme, width] of [
      ["dark", 1280],
      ["light", 390],
      ["dark", 390],
    ] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 844 });
      await page.waitForFunction(`document.documentElement.dataset.theme === "${scheme}"`);
      assert.ok(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing scrolls sideways");
      await page.screenshot({ path: `${shots}/thread-rich-${scheme}-${width}.png` });
    }
    await context.close();
  });

  it("opens a citation's excerpt and source from [1], the cited passage highlighted in the document; Escape closes it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("attach").setInputFiles([{ name: "orangutan.pdf", mimeType: "application/pdf", buffer: await orangutans() }]);
    await page.locator('[data-testid="uploads"] li[data-state="indexed"]').getByText("orangutan.pdf").waitFor();
    await ask(page, "cite", "Where do orangutans live?");
    await answered(page, 1);
    const mark = page.getByTestId("assistant-turn").last().getByTestId("cite-ref");
    await mark.focus();
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("source-panel");
    await panel.waitFor();
    assert.equal(await panel.locator("h2").textContent(), "[1] orangutan.pdf · p. 2");
    assert.equal(await panel.getByTestId("source-excerpt").textContent(), "Orangutans live in the rainforests of Borneo and Sumatra.");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    assert.equal(await page.evaluate("document.activeElement?.dataset.testid"), "cite-ref", "focus is back on the mark");

    await page.getByTestId("assistant-turn").last().getByTestId("source").click();
    await panel.getByTestId("source-open").click();
    const cited = panel.getByTestId("cited-passage");
    await cited.waitFor();
    assert.match((await cited.textContent())!, /Orangutans live in the rainforests of Borneo and Sumatra\./);
    const background = await page.evaluate("getComputedStyle(document.querySelector('[data-testid=cited-passage]')).backgroundColor");
    assert.notEqual(background, "rgba(0, 0, 0, 0)", "highlighted");
    await page.screenshot({ path: `${shots}/thread-source-1280.png` });
    await page.close();
  });

  it("follows a streaming answer until the reader scrolls up, then stays put and offers to jump to the latest", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    await page.goto(server.url);
    await ask(page, "long", "Tell me about the walk");
    const thread = page.getByTestId("thread");
    const gap =
      "(() => { const t = document.querySelector('[data-testid=thread]'); return t.scrollHeight - t.scrollTop - t.clientHeight; })()";
    // It has grown past the screen, and the view went along.
    await page.waitForFunction(
      `document.querySelector('[data-testid=thread]').scrollHeight > document.querySelector('[data-testid=thread]').clientHeight + 300 && ${gap} < 10`,
    );
    assert.equal(await page.locator('[data-testid="assistant-turn"][data-state="streaming"]').count(), 1, "still streaming");
    await thread.hover();
    await page.mouse.wheel(0, -5000);
    await page.waitForFunction("document.querySelector('[data-testid=thread]').scrollTop === 0");
    await page.getByTestId("jump-latest").waitFor();
    const grown = Number(await page.evaluate("document.querySelector('[data-testid=thread]').scrollHeight"));
    await page.waitForFunction(`document.querySelector('[data-testid=thread]').scrollHeight > ${grown + 300}`);
    assert.equal(await page.evaluate("document.querySelector('[data-testid=thread]').scrollTop"), 0, "the reader stays where they went");
    await page.screenshot({ path: `${shots}/thread-scrolled-up-1280.png` });
    await page.getByTestId("jump-latest").click();
    await page.getByTestId("jump-latest").waitFor({ state: "detached" });
    await answered(page, 1);
    await page.waitForFunction(`${gap} < 10`);
    await page.close();
  });

  it("says a failed answer once, in the bubble and the UI language, with the raw error behind Details", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("locale").selectOption("zh");
    await ask(page, "busy", "你好");
    await answered(page, 1);
    const failure = page.getByTestId("assistant-turn").first().getByTestId("answer-error");
    assert.equal(await failure.locator("p").textContent(), "模型正忙或已达到调用上限。请稍等一分钟，再重新生成回答。");
    assert.equal(await page.getByText("模型正忙").count(), 1, "said once");
    assert.equal(await page.getByTestId("error").count(), 0, "no banner above the thread");
    const detail = failure.getByTestId("answer-error-detail");
    assert.equal(await detail.isVisible(), false);
    await failure.getByRole("button", { name: "详情" }).click();
    assert.match((await detail.textContent())!, /busy/);
    await page.screenshot({ path: `${shots}/thread-failed-zh-1280.png` });
    await page.close();
  });
});

describe("answers from an attached PDF on the committed models, in both markets", { skip }, () => {
  let server: ShippedServer;
  let browser: Browser;
  let origin: (host: string) => string;
  before(async () => ({ server, browser, origin } = await startShipped()));
  after(() => closeShipped({ server, browser }));

  for (const [host, question] of [
    ["global.localhost", "Where do orangutans live?"],
    ["cn.localhost", "猩猩住在哪里？"],
  ] as const) {
    it(`${host}: a cited answer, with no error`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(origin(host));
      await page.getByTestId("attach").setInputFiles([{ name: "orangutan.pdf", mimeType: "application/pdf", buffer: await orangutans() }]);
      await page.locator('[data-testid="uploads"] li[data-state="indexed"]').waitFor({ timeout: 30_000 });
      await ask(page, null, question);
      await answered(page, 1, 60_000);
      const answer = page.getByTestId("assistant-turn").first();
      assert.equal(await answer.getAttribute("data-state"), "done");
      assert.equal(await answer.getByTestId("answer-error").count(), 0);
      assert.equal(await page.getByTestId("error").count(), 0);
      assert.match((await answer.getByTestId("sources").textContent())!, /\[1\] orangutan\.pdf/);
      assert.match((await answer.locator(".md").textContent())!, /Borneo/);
      await page.screenshot({ path: `${shots}/thread-pdf-${host.split(".")[0]}-1280.png` });
      await page.close();
    });
  }
});
