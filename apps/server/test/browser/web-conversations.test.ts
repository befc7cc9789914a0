import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { pdfOf } from "../documents.ts";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium, shots } from "./chromium.ts";

// Conversations in real Chromium against the whole server, answered by a loopback OpenAI server that streams
// 3 characters every 60 ms: `echo` answers "(n) <your message>", `slow` a long story, `code` a code block, `cite`
// "From [1]: <the first source it was given>".
const skip = browserSkip;
const story = "Once upon a time a seed fell on good soil, and it grew, and it grew. ".repeat(6);

describe("conversations in Chromium", { skip }, () => {
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    upstream = await startFakeOpenAI({ models: [], chunkDelayMs: 60 });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `
routes:
  - { model: echo, targets: [{ provider: openai, model: echo }] }
  - { model: cite, targets: [{ provider: openai, model: cite }] }
  - { model: system, targets: [{ provider: openai, model: system }] }
  - { model: upper, targets: [{ provider: openai, model: upper }] }
  - { model: slow, targets: [{ provider: openai, model: "say:${story}" }] }
  - { model: code, targets: [{ provider: openai, model: "say:Here it is:\\n\\n\`\`\`js\\nconst answer = 42; // the answer\\n\`\`\`\\nDone." }] }
assistant:
  images: [{ name: openai, type: openai, baseURL: "${upstream.url}/v1", apiKey: sk-upstream, model: gpt-image-1 }]
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

  const bubble = (page: Page, testid: "user-turn" | "assistant-turn", n: number) => page.getByTestId(testid).nth(n).locator(".bubble");
  /** Waits for the answer just asked for: its stream starts (the stop button comes) and ends (it goes). */
  const settled = async (page: Page) => {
    await page.getByTestId("stop").waitFor({ timeout: 10_000 });
    await page.getByTestId("stop").waitFor({ state: "detached", timeout: 20_000 });
    await page
      .getByTestId("assistant-turn")
      .last()
      .and(page.locator('[data-state="done"], [data-state="stopped"], [data-state="failed"]'))
      .waitFor();
  };

  it("streams, stops, regenerates, edits and resends with both branches kept, renders Markdown and code, and keeps it all across a reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("model").selectOption("echo");
    await page.getByTestId("input").fill("Hello **world**");
    await page.getByTestId("input").press("Enter");
    await page.getByTestId("assistant-turn").and(page.locator('[data-state="streaming"]')).waitFor(); // seen while it streams
    await settled(page);
    assert.equal(await bubble(page, "assistant-turn", 0).textContent(), "(1) Hello world");
    assert.equal(await bubble(page, "assistant-turn", 0).locator("strong").textContent(), "world", "Markdown, not raw asterisks");
    await page.getByTestId("conversation-item").getByText("Hello **world**").waitFor();

    // Regenerate: a second answer beside the first, and the arrows move between them.
    await page.getByTestId("regenerate").click();
    await settled(page);
    const answerTools = page.getByTestId("assistant-turn").last().getByTestId("branch-label");
    assert.equal(await answerTools.textContent(), "2/2");
    await page.getByTestId("assistant-turn").last().getByTestId("branch-prev").click();
    await page.getByTestId("assistant-turn").last().getByTestId("branch-label").getByText("1/2").waitFor();

    // Edit the question and resend: a new branch; the old one is one click away.
    await page.getByTestId("user-turn").first().getByTestId("edit").click();
    await page.getByTestId("edit-input").fill("Hi again");
    await page.getByTestId("edit-send").click();
    await settled(page);
    assert.equal(await bubble(page, "user-turn", 0).textContent(), "Hi again");
    assert.equal(await bubble(page, "assistant-turn", 0).textContent(), "(1) Hi again");
    assert.equal(await page.getByTestId("user-turn").first().getByTestId("branch-label").textContent(), "2/2");
    await page.getByTestId("user-turn").first().getByTestId("branch-prev").click();
    await page.getByTestId("user-turn").first().getByText("Hello **world**").waitFor();
    assert.equal(await bubble(page, "assistant-turn", 0).textContent(), "(1) Hello world");
    await page.getByTestId("user-turn").first().getByTestId("branch-next").click();
    await page.getByTestId("user-turn").first().getByText("Hi again").waitFor();

    // A follow-up on this branch, then a code block, highlighted.
    await page.getByTestId("model").selectOption("code");
    await page.getByTestId("input").fill("Show me code");
    await page.getByTestId("input").press("Enter");
    await settled(page);
    const code = page.getByTestId("assistant-turn").last().locator("pre code");
    assert.equal(await code.textContent(), "const answer = 42; // the answer");
    assert.equal(await code.locator(".tok-k").first().textContent(), "const");
    assert.equal(await code.locator(".tok-c").textContent(), "// the answer");

    // Stop a long answer: what came stays, marked stopped, also after a reload.
    await page.getByTestId("model").selectOption("slow");
    await page.getByTestId("input").fill("Tell me a story");
    await page.getByTestId("input").press("Enter");
    await page.waitForFunction(
      `(document.querySelector('[data-testid="assistant-turn"][data-state="streaming"] .bubble')?.textContent?.length ?? 0) > 40`,
    );
    await page.getByTestId("stop").click();
    await page.getByTestId("assistant-turn").last().and(page.locator('[data-state="stopped"]')).waitFor();
    const kept = (await bubble(page, "assistant-turn", 2).locator(".md").textContent())!;
    assert.ok(story.startsWith(kept) && kept.length > 40 && kept.length < story.length, kept);
    await page.screenshot({ path: `${shots}/conversation-1280.png` });

    await page.reload();
    await page.getByTestId("assistant-turn").nth(2).and(page.locator('[data-state="stopped"]')).waitFor();
    assert.equal(await bubble(page, "user-turn", 0).textContent(), "Hi again", "the branch shown is remembered");
    assert.equal(await bubble(page, "assistant-turn", 2).locator(".md").textContent(), kept);

    // Search finds it by a word of a message; the UI speaks Chinese on request.
    await page.getByTestId("search").fill("story");
    await page.getByTestId("conversation-item").getByText("Tell me a story").waitFor();
    await page.getByTestId("locale").selectOption("zh");
    assert.equal(await page.getByTestId("regenerate").first().textContent(), "重新生成");
    assert.equal(await page.getByTestId("send").textContent(), "发送");
    await page.screenshot({ path: `${shots}/conversation-zh-1280.png` });
    await page.close();
  });

  it("fits a 390 px phone: the conversations are a drawer", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(server.url);
    await page.getByTestId("model").selectOption("echo");
    await page.getByTestId("input").fill("Apa kabar?");
    await page.getByTestId("input").press("Enter");
    await settled(page);
    assert.equal(await page.getByTestId("sidebar").isVisible(), true, "in the page, but off screen");
    assert.ok(await page.evaluate("document.querySelector('[data-testid=sidebar]').getBoundingClientRect().right <= 0"));
    assert.ok(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing scrolls sideways");
    await page.screenshot({ path: `${shots}/conversation-390.png` });
    await page.getByTestId("menu").click();
    await page.waitForFunction("document.querySelector('[data-testid=sidebar]').getBoundingClientRect().left >= 0");
    await page.screenshot({ path: `${shots}/conversation-drawer-390.png` });
    await page.getByTestId("conversation-item").first().click();
    await page.waitForFunction("document.querySelector('[data-testid=sidebar]').getBoundingClientRect().right <= 0");

    // The web skill waits for a search provider, and says so when tapped; the person's settings fit the phone.
    assert.equal(await page.getByTestId("skill-web").getAttribute("aria-disabled"), "true");
    await page.getByTestId("skill-web").click({ force: true }); // aria-disabled: Playwright would wait for it
    assert.match((await page.getByTestId("chip-why").textContent())!, /Web search is not set up on this server/);
    await page.getByTestId("open-settings").click();
    await page.getByTestId("settings-locale").waitFor();
    assert.ok(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the settings fit");
    await page.screenshot({ path: `${shots}/settings-390.png` });

    // What is configured and what to set for the rest is the admin's setup page.
    await page.goto(`${server.url}/admin/setup`);
    const providers = page.getByTestId("setup-providers");
    assert.match((await providers.locator('li[data-provider="openai"]').textContent())!, /openai ✓ Configured/);
    assert.match((await providers.locator('li[data-provider="deepseek"]').textContent())!, /DEEPSEEK_API_KEY/);
    assert.match((await page.getByTestId("setup-skills").locator('li[data-skill="web"]').textContent())!, /webSearch/);
    await page.close();
  });

  it("uploads a PDF with progress, answers the next message from it, citing file and page; a broken PDF is refused", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("attach").setInputFiles([
      {
        name: "orangutan.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(await pdfOf(["Cover page", "Orangutans live in the rainforests of Borneo and Sumatra."])),
      },
      { name: "broken.pdf", mimeType: "application/pdf", buffer: Buffer.from((await pdfOf(["x"])).slice(0, 300)) },
    ]);
    await page.locator('[data-testid="uploads"] li[data-state="indexed"]').getByText("orangutan.pdf").waitFor();
    const broken = page.locator('[data-testid="uploads"] li[data-state="failed"]');
    await broken.waitFor();
    assert.match((await broken.textContent())!, /broken\.pdf is a damaged PDF/);

    await page.getByTestId("model").selectOption("cite");
    await page.getByTestId("input").fill("Where do orangutans live?");
    await page.getByTestId("input").press("Enter");
    await settled(page);
    const answer = page.getByTestId("assistant-turn").last();
    assert.equal(await answer.locator(".md").textContent(), "From [1]: Orangutans live in the rainforests of Borneo and Sumatra.");
    assert.equal(await answer.getByTestId("cite-ref").textContent(), "[1]");
    assert.equal(await answer.getByTestId("sources").textContent(), "[1] orangutan.pdf · p. 2");
    assert.equal(
      await page.getByTestId("user-turn").last().getByTestId("attachments").textContent(),
      "orangutan.pdf",
      "the question shows what went with it",
    );
    await page.screenshot({ path: `${shots}/knowledge-1280.png` });
    await page.close();
  });

  it("picks an agent, offers its starters, and translates with the skill it brings", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("agent").selectOption("translator");
    assert.equal(await page.getByTestId("skill-translate").getAttribute("aria-pressed"), "true", "the translator starts with its skill on");
    await page.getByTestId("starter").first().click();
    assert.equal(await page.getByTestId("input").inputValue(), "The weather is nice today.");
    await page.getByTestId("translate-target").selectOption("Japanese");
    await page.getByTestId("glossary").fill("pagi = 朝\nnot a pair");
    await page.getByTestId("model").selectOption("system");
    await page.getByTestId("send").click();
    await settled(page);
    const text = (await page.getByTestId("assistant-turn").last().locator(".md").textContent())!;
    assert.match(
      text,
      /^You translate the user's messages\. Keep formatting and code intact\.\s*You are a translator\. Detect the language of the user's text and translate it into Japanese\./,
    );
    assert.match(text, /pagi → 朝/, "the glossary went with it");
    // A conversation keeps its agent: picking another starts a new chat with it.
    await page.getByTestId("agent").selectOption("writer");
    await page.getByTestId("user-turn").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("skill-write").getAttribute("aria-pressed"), "true");
    await page.close();
  });

  it("draws an image with the image skill, shows it inline, and changes it on request", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("skill-image").click();
    await page.getByTestId("image-size").selectOption("512x512");
    await page.getByTestId("image-seed").fill("42");
    await page.getByTestId("input").fill("a red kite over rice fields");
    await page.getByTestId("input").press("Enter");
    const image = page.getByTestId("drawn-image");
    await image.waitFor();
    await page.waitForFunction("document.querySelector('[data-testid=drawn-image]').naturalWidth > 0");
    assert.equal(await image.getAttribute("alt"), "a red kite over rice fields (fake)");
    assert.equal(
      upstream.seen.filter((r) => r.path.endsWith("/images/generations")).at(-1)!.body.size,
      "512x512",
      "the chosen size was asked for",
    );

    // Change it: the next message says how, and the answer is the edited image.
    await page.getByTestId("change-image").click();
    await page.getByTestId("changing").waitFor();
    await page.getByTestId("input").fill("the same kite at night");
    await page.getByTestId("input").press("Enter");
    await page.getByTestId("drawn-image").nth(1).waitFor();
    assert.equal(await page.getByTestId("drawn-image").nth(1).getAttribute("alt"), "the same kite at night (edited)");
    assert.equal(await page.getByTestId("changing").count(), 0, "one change per message");
    await page.screenshot({ path: `${shots}/image-1280.png` });
    await page.close();
  });

  it("makes a video with the video skill: progress while it runs, then the video (here the offline slideshow, labelled so)", {
    skip: !process.env.BENIH_REQUIRE_FFMPEG && !existsSync("/usr/bin/ffmpeg") && "ffmpeg is not installed",
  }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("skill-video").click();
    await page.getByTestId("input").fill("Seeds sleep in the soil. Rain falls.");
    await page.getByTestId("input").press("Enter");
    const card = page.getByTestId("video");
    await card.waitFor();
    await page.locator('[data-testid="video"][data-status="succeeded"] video').waitFor({ timeout: 60_000 });
    assert.match((await card.locator("figcaption").textContent())!, /slideshow/i, "the page says plainly what it is");
    await page.waitForFunction("document.querySelector('[data-testid=video] video').readyState >= 1", undefined, { timeout: 20_000 });
    const duration = Number(await page.evaluate("document.querySelector('[data-testid=video] video').duration"));
    assert.ok(Math.abs(duration - 5) < 0.3, `two cards of 2.5 s (${duration} s)`);
    await page.screenshot({ path: `${shots}/video-1280.png` });
    await page.close();
  });

  it("renames and deletes a conversation from the sidebar", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("model").selectOption("echo");
    await page.getByTestId("input").fill("to be renamed");
    await page.getByTestId("input").press("Enter");
    await settled(page);
    await page.getByTestId("conversation-menu").first().click();
    await page.getByTestId("rename").click();
    await page.getByTestId("rename-input").fill("Trip notes");
    await page.getByTestId("rename-input").press("Enter");
    await page.getByTestId("conversation-item").getByText("Trip notes").waitFor();
    const before = await page.getByTestId("conversation-item").count();
    await page.getByTestId("conversation-menu").first().click();
    await page.getByTestId("delete").click();
    await page.getByTestId("dialog-confirm").click();
    await page.waitForFunction(`document.querySelectorAll('[data-testid=conversation-item]').length === ${before - 1}`);
    assert.equal(await page.getByTestId("user-turn").count(), 0, "the deleted conversation is no longer shown");
    await page.close();
  });

  it("translates an attached document whole and saves the translation", async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByTestId("model").selectOption("upper");
    await page.getByTestId("skill-translate").click();
    await page
      .getByTestId("attach")
      .setInputFiles([{ name: "surat.md", mimeType: "text/markdown", buffer: Buffer.from("# Surat\n\nSelamat pagi.\n\nSampai jumpa.") }]);
    await page.getByTestId("translate-document").click();
    const download = await page.waitForEvent("download");
    assert.equal(download.suggestedFilename(), "Surat.english.md");
    assert.equal(readFileSync((await download.path())!, "utf8"), "# SURAT\n\nSELAMAT PAGI.\n\nSAMPAI JUMPA.");
    await context.close();
  });

  it("makes an agent in the app and talks with it", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(server.url);
    await page.getByTestId("agent").selectOption("+new");
    await page.getByTestId("agent-name").fill("Pirate");
    await page.getByTestId("agent-instructions").fill("Talk like a pirate.");
    await page.getByTestId("agent-starters").fill("Ahoy");
    await page.getByTestId("agent-save").click();
    await page.getByTestId("agent-editor").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("agent").locator("option:checked").textContent(), "Pirate");
    await page.getByTestId("starter").getByText("Ahoy").click();
    await page.getByTestId("model").selectOption("system");
    await page.getByTestId("send").click();
    await settled(page);
    assert.equal(await page.getByTestId("assistant-turn").last().locator(".md").textContent(), "Talk like a pirate. | Ahoy");
    await page.close();
  });
});
