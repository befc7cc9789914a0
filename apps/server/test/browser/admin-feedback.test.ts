import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import type { MessageView } from "@benih/contracts";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium, repo, shots } from "./chromium.ts";

// Readers rate answers in the chat app; an admin reads the ratings on /admin's Feedback tab. The server asks for
// keys (as any server beyond loopback does), so the tab is seen refusing a reader's key before it takes an admin's.
// Answers come from a loopback OpenAI server: `short` one sentence, `long` a paragraph too long to show whole.
const skip = browserSkip;
const short = "The capital of Indonesia is Jakarta.";
const long = Array.from({ length: 12 }, (_, i) => `Rice terrace ${i + 1} is watered by the subak system of Bali.`).join(" ");
const comment = "Too long, and it never says which island.";

/** axe-core's serious and critical findings on the page as it is now (its script injected from node_modules). */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.addScriptTag({ path: repo("node_modules/axe-core/axe.min.js") });
  return page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`);
}

const answered = (page: Page, n: number) =>
  page
    .getByTestId("assistant-turn")
    .nth(n - 1)
    .and(page.locator('[data-state="done"]'))
    .waitFor({ timeout: 30_000 });

describe("/admin's Feedback tab, in Chromium", { skip }, () => {
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let reader: string;
  let admin: string;

  before(async () => {
    upstream = await startFakeOpenAI({ models: [] });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `
auth: { required: true }
routes:
  - { model: short, targets: [{ provider: openai, model: "say:${short}" }] }
  - { model: long, targets: [{ provider: openai, model: "say:${long}" }] }
`,
    });
    reader = (await server.store.apiKeys.create("reader")).key;
    admin = (await server.store.apiKeys.create("ops", "admin")).key;
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  it("asks for an admin key, refuses a reader's, then lists the answers readers rated up and down, filtered by rating", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const adminPage = await context.newPage();
    await adminPage.goto(`${server.url}/admin/feedback`);
    const useKey = async (key: string) => {
      await adminPage.getByTestId("admin-key").fill(key);
      await adminPage.getByTestId("admin-key").press("Enter");
    };
    const asked = adminPage.locator("form.key p");
    await asked.getByText("Reading how readers rated answers needs an admin key.").waitFor();
    await useKey(reader);
    await asked.getByText("That key is not an admin key.").waitFor();
    assert.equal(await adminPage.getByTestId("feedback").count(), 0, "a reader's key shows no ratings");
    await useKey(admin);
    await adminPage.getByTestId("feedback-empty").getByText("No answers have been rated yet.").waitFor();

    // A reader asks twice and rates the first answer up and the second down, from the answer's tools.
    const chat = await context.newPage();
    await chat.goto(server.url);
    await chat.getByTestId("signin-use-key").click();
    await chat.getByTestId("api-key").fill(reader);
    await chat.getByTestId("api-key").press("Enter");
    const ask = async (model: string, question: string, n: number) => {
      await chat.getByTestId("model").selectOption(model);
      await chat.getByTestId("input").fill(question);
      await chat.getByTestId("input").press("Enter");
      await answered(chat, n);
    };
    const rate = async (n: number, which: "rate-up" | "rate-down") => {
      const saved = chat.waitForResponse((r) => r.url().endsWith("/feedback") && r.request().method() === "PUT");
      await chat
        .getByTestId("assistant-turn")
        .nth(n - 1)
        .getByTestId(which)
        .click();
      const response = await saved;
      assert.equal(response.status(), 200);
      return (await response.json()) as MessageView;
    };
    await ask("short", "What is the capital of Indonesia?", 1);
    await rate(1, "rate-up");
    await ask("long", "Tell me about Bali's rice terraces", 2);
    const down = await rate(2, "rate-down");
    // What was wrong, in the reader's words (the API takes a comment with a rating).
    const commented = await fetch(`${server.url}/v1/conversations/${down.conversation_id}/messages/${down.id}/feedback`, {
      method: "PUT",
      headers: { authorization: `Bearer ${reader}`, "content-type": "application/json" },
      body: JSON.stringify({ rating: "down", comment }),
    });
    assert.equal(commented.status, 200);

    await adminPage.reload();
    const rows = adminPage.getByTestId("feedback-row");
    await rows.nth(1).waitFor();
    const count = (r: string) => adminPage.getByTestId(`feedback-count-${r}`).textContent();
    assert.deepEqual([await count("all"), await count("up"), await count("down")], ["2", "1", "1"]);
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-rating"))), ["down", "up"], "newest first");
    const [bad, good] = [rows.nth(0), rows.nth(1)];
    assert.equal(await good.getByTestId("feedback-question").textContent(), "What is the capital of Indonesia?");
    assert.equal(await good.getByTestId("feedback-answer").textContent(), short);
    assert.match((await good.locator("td").first().textContent())!, /Good/);
    assert.equal(await good.getByTestId("feedback-comment").count(), 0, "no comment where the reader left none");
    assert.equal(await bad.getByTestId("feedback-question").textContent(), "Tell me about Bali's rice terraces");
    assert.match((await bad.locator("td").first().textContent())!, /Bad/);
    assert.equal(await bad.getByTestId("feedback-comment").textContent(), `Comment: ${comment}`);
    assert.match((await bad.locator("code").textContent())!, /long/, "the model that answered");
    const rated = await bad.locator("time").getAttribute("datetime");
    assert.ok(!Number.isNaN(Date.parse(rated!)), "when, as a machine-readable time");
    assert.match((await bad.locator("time").textContent())!, new RegExp(String(new Date(rated!).getFullYear())), "when, for people");

    // The long answer is shortened, and shown whole on request.
    const answer = bad.getByTestId("feedback-answer");
    const cut = (await answer.textContent())!;
    assert.ok(cut.endsWith("…") && cut.length < long.length, "shortened");
    await bad.getByRole("button", { name: "Show the whole answer" }).click();
    assert.equal(await answer.textContent(), long);
    assert.equal(await bad.getByRole("button", { name: "Show less" }).getAttribute("aria-expanded"), "true");

    const filter = (r: string) => adminPage.locator(`[data-testid=feedback-filter][data-rating=${r}]`);
    await filter("down").click();
    assert.equal(await filter("down").getAttribute("aria-pressed"), "true");
    assert.equal(await rows.count(), 1, "only the answer rated down");
    assert.equal(await rows.first().getAttribute("data-rating"), "down");
    assert.equal(await rows.first().getByTestId("feedback-question").textContent(), "Tell me about Bali's rice terraces");
    await adminPage.screenshot({ path: `${shots}/admin-feedback-down.png`, fullPage: true });
    await filter("up").click();
    assert.deepEqual(await rows.getByTestId("feedback-question").allTextContents(), ["What is the capital of Indonesia?"]);
    await filter("all").click();
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await seriousViolations(adminPage), [], "axe finds nothing serious on the tab (light, desktop)");
    await adminPage.screenshot({ path: `${shots}/admin-feedback-all.png`, fullPage: true });
    await adminPage.emulateMedia({ colorScheme: "dark" });
    await adminPage.setViewportSize({ width: 390, height: 844 });
    await adminPage.screenshot({ path: `${shots}/admin-feedback-dark-390.png`, fullPage: true });
    assert.ok(await adminPage.evaluate("document.documentElement.scrollWidth <= innerWidth"), "nothing scrolls sideways on a phone");
    assert.deepEqual(await seriousViolations(adminPage), [], "axe finds nothing serious on the tab (dark, phone)");
    await context.close();

    // In the admin's language: Chinese here, dates included.
    const zh = await browser.newContext({ viewport: { width: 1280, height: 700 }, locale: "zh-CN" });
    await zh.addInitScript(`localStorage.setItem("benih.adminKey", ${JSON.stringify(admin)})`);
    const page = await zh.newPage();
    await page.goto(`${server.url}/admin/feedback`);
    await page.getByRole("heading", { name: "反馈" }).waitFor();
    assert.deepEqual(await page.locator("[data-testid=feedback-row] td:first-child").allTextContents(), [" 差评", " 好评"]);
    assert.match((await page.locator("time").first().textContent())!, /\d{4}年\d{1,2}月\d{1,2}日/);
    await page.screenshot({ path: `${shots}/admin-feedback-zh.png` });
    await zh.close();
  });
});
