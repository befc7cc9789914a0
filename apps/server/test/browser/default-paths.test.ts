import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { readModelCard } from "../../src/model-card.ts";
import { browserSkip, repo, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

// What a new user meets on a default start (the shipped benih.yaml and committed models, nothing configured), in
// both markets: the suggested questions are answered right, and every skill chip and built-in agent ends in an
// answer or an explanation in the UI language, never a failed answer or a gateway message.
const skip = browserSkip;

const markets = [
  { host: "global.localhost", model: "benih-tiny-global", locale: "en" },
  { host: "cn.localhost", model: "benih-tiny-cn", locale: "zh" },
] as const;

describe("every default path, in both markets", { skip }, () => {
  let server: ShippedServer;
  let browser: Browser;
  let origin: (host: string) => string;
  before(async () => ({ server, browser, origin } = await startShipped()));
  after(() => closeShipped({ server, browser }));

  /** Sends what is in the composer and waits for the answer to end; returns it. */
  const send = async (page: Page) => {
    const n = await page.getByTestId("assistant-turn").count();
    await page.getByTestId("send").click();
    const answer = page.getByTestId("assistant-turn").nth(n);
    await answer.and(page.locator('[data-state="done"], [data-state="failed"], [data-state="stopped"]')).waitFor({ timeout: 60_000 });
    return answer;
  };
  /** An answer that did not fail and says something; no banner either. */
  const sound = async (page: Page, answer: Awaited<ReturnType<typeof send>>, what: string) => {
    assert.equal(await answer.getAttribute("data-state"), "done", `${what}: ${await answer.textContent()}`);
    assert.equal(await answer.getByTestId("answer-error").count(), 0, what);
    assert.equal(await page.getByTestId("error").count(), 0, what);
    const text = (await answer.locator(".bubble").textContent())!.trim();
    assert.ok(text.length > 0, `${what}: an empty answer`);
    assert.doesNotMatch(text, /No target could serve|context of \d+|HTTP \d{3}/, what);
    return text;
  };
  const newChat = async (page: Page) => {
    await page.getByTestId("new-chat").click();
    await page.getByTestId("user-turn").first().waitFor({ state: "detached" });
  };

  for (const m of markets) {
    it(`${m.host}: the suggested questions are answered right`, async () => {
      const card = readModelCard(repo(`models/${m.model}.gguf`))!;
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(origin(m.host));
      const starters = page.getByTestId("starter");
      await starters.first().waitFor();
      const shown = await starters.allTextContents();
      const examples = card.examples.filter((e) => e.language === m.locale);
      assert.deepEqual(
        shown,
        examples.map((e) => e.text),
        "the empty state offers the model's own examples in the UI language",
      );
      for (const [i, e] of examples.entries()) {
        if (i) await newChat(page);
        await page.getByTestId("starter").nth(i).click();
        const text = await sound(page, await send(page), e.text);
        assert.ok(text.includes(e.answer), `${e.text} → ${text} (expected ${e.answer})`);
      }
      await page.screenshot({ path: `${shots}/default-${m.locale}-examples.png` });
      await page.close();
    });

    it(`${m.host}: every skill chip answers or explains, in the UI language`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(origin(m.host));
      await page.getByTestId("starter").first().waitFor();
      const chips: Array<{ skill: string; text: string; expect: RegExp }> = [
        { skill: "search", text: m.locale === "zh" ? "怎样用 benih train 训练模型？" : "How do I train a model?", expect: /\[1\]/ },
        { skill: "translate", text: m.locale === "zh" ? "今天天气很好。" : "The weather is nice today.", expect: /指令|instructions/ },
        {
          skill: "write",
          text: m.locale === "zh" ? "我们的会议改到星期五。" : "Our meeting moves to Friday.",
          expect: /指令|instructions/,
        },
      ];
      for (const [i, c] of chips.entries()) {
        if (i) await newChat(page);
        await page.getByTestId(`skill-${c.skill}`).click();
        await page.getByTestId("input").fill(c.text);
        const answer = await send(page);
        const text = await sound(page, answer, c.skill);
        assert.match(text, c.expect, c.skill);
        // benih-tiny does not follow these skills' instructions (its card says): the answer says so in the UI
        // language (and how to get a larger model), not in the server's English.
        if (c.skill !== "search") {
          assert.equal(await answer.locator('[data-testid="notice"][data-code="needs_larger_model"]').count(), 1, `${c.skill}: ${text}`);
          if (m.locale === "zh") assert.match(text, /更大的模型/, `${c.skill}: ${text}`);
          else assert.match(text, /needs a larger model/, `${c.skill}: ${text}`);
          assert.doesNotMatch(text, /needs a model with/i, c.skill);
        }
      }
      // What cannot run here says why when tapped.
      await newChat(page);
      await page.getByTestId("skill-web").click({ force: true });
      const why = (await page.getByTestId("chip-why").textContent())!;
      if (m.locale === "zh") assert.match(why, /[\u4e00-\u9fff]/);
      await page.screenshot({ path: `${shots}/default-${m.locale}-chips.png` });
      await page.close();
    });

    it(`${m.host}: every built-in agent answers its first starter or explains`, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(origin(m.host));
      await page.getByTestId("starter").first().waitFor();
      await page.waitForFunction("document.querySelectorAll('[data-testid=agent] option').length >= 4");
      const agents = (
        await page
          .getByTestId("agent")
          .locator("option")
          .evaluateAll((os) => os.map((o) => o.getAttribute("value") ?? ""))
      ).filter((v) => v && !v.startsWith("+") && v !== "benih");
      assert.ok(agents.length >= 3, `the built-in agents are offered: ${agents}`);
      for (const id of agents) {
        await page.getByTestId("agent").selectOption(id);
        await page.getByTestId("user-turn").first().waitFor({ state: "detached" });
        await page.getByTestId("starter").first().click();
        await sound(page, await send(page), id);
      }
      await page.screenshot({ path: `${shots}/default-${m.locale}-agent.png` });
      await page.close();
    });
  }
});
