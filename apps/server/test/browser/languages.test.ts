import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium, repo, shots } from "./chromium.ts";

// Every text a person sees, in each language the market offers: the main screens are walked in zh, en and id, and
// each visible text, aria-label, placeholder and title must differ from one language to another. What must not
// change is allowed by name: brands, model ids, language names, what the person and the model wrote, numbers.
const skip = browserSkip;
const LOCALES = ["zh", "en", "id"] as const;
type Locale = (typeof LOCALES)[number];

/** The visible texts of the page and the labels of its visible elements. */
const visibleTexts = (page: Page): Promise<string[]> =>
  page.evaluate(`(() => {
    const out = new Set();
    const shown = (el) => el.checkVisibility({ visibilityProperty: true }) || el.closest("select");
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      if (text && n.parentElement && shown(n.parentElement)) out.add(text);
    }
    for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]"))
      if (shown(el)) for (const a of ["aria-label", "placeholder", "title"]) if (el.getAttribute(a)?.trim()) out.add(el.getAttribute(a).trim());
    return [...out];
  })()`);

describe("every text in every language, in Chromium", { skip }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let url: string;
  /** What is the same in every language by nature. */
  const fixed = new Set(["Benih", "benih", "种子", "中文", "English", "Bahasa Indonesia", "EN", "ID"]);
  /** Words Indonesian takes from English as they are: the same in en and id, but not in zh. */
  const sameInId = /^(Model|Video|Menu|Email|Thai)\b/;

  before(async () => {
    server = await startServer({ yaml: readFileSync(repo("benih.yaml"), "utf8"), env: { BENIH_MODELS_DIR: repo("models") } });
    url = server.url.replace("127.0.0.1", "global.localhost");
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
    // Plain 127.0.0.1 is the global market too; Node's fetch does not resolve *.localhost.
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      data: Array<{ id: string; examples?: Record<string, string[]> }>;
    };
    for (const m of models.data) {
      fixed.add(m.id).add(m.id.replace(/-global$/, ""));
      for (const list of Object.values(m.examples ?? {})) for (const e of list) fixed.add(e);
    }
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The texts of each main screen in one language; what the person and the model wrote is added to `fixed`. */
  async function walk(locale: Locale): Promise<Record<string, string[]>> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript(
      `localStorage.setItem("benih.prefs.global", ${JSON.stringify(JSON.stringify({ locale, theme: "light" }))})`,
    );
    const page = await context.newPage();
    const screens: Record<string, string[]> = {};
    await page.goto(url);
    await page.waitForFunction(`document.documentElement.lang === "${locale === "zh" ? "zh-CN" : locale}"`);
    await page.getByTestId("starter").first().waitFor();
    screens["empty chat, sidebar and composer"] = await visibleTexts(page);

    await page.getByTestId("open-settings").click();
    await page.getByTestId("settings").waitFor();
    screens.settings = await visibleTexts(page);
    await page.screenshot({ path: `${shots}/languages-${locale}-settings.png` });
    await page.keyboard.press("Escape");

    await page.getByTestId("skill-translate").click();
    screens["composer with a skill"] = await visibleTexts(page);
    await page.getByTestId("skill-translate").click();

    const question = "What is the capital of Japan?";
    fixed.add(question);
    await page.getByTestId("input").fill(question);
    await page.getByTestId("input").press("Enter");
    const answer = page.locator('[data-testid=assistant-turn][data-state="done"]');
    await answer.waitFor({ timeout: 30_000 });
    for (const bubble of await page.locator(".bubble").allTextContents()) fixed.add(bubble.trim());
    screens.conversation = await visibleTexts(page);
    await page.screenshot({ path: `${shots}/languages-${locale}-conversation.png` });
    await context.close();
    return screens;
  }

  it("changes every visible text, label, placeholder and title between zh, en and id", async () => {
    const walked = {} as Record<Locale, Record<string, string[]>>;
    for (const l of LOCALES) walked[l] = await walk(l);
    const unchanged: string[] = [];
    for (const screen of Object.keys(walked.en)) {
      const [zh, id] = [new Set(walked.zh[screen]), new Set(walked.id[screen])];
      for (const text of walked.en[screen]!) {
        // Numbers, symbols and icons have no language; the rest must be said in each language its own way.
        if (!/\p{L}/u.test(text) || fixed.has(text) || [...fixed].some((f) => f.length > 8 && f.includes(text))) continue;
        if (zh.has(text) || (id.has(text) && !sameInId.test(text)))
          unchanged.push(`${screen}: ${JSON.stringify(text)}${zh.has(text) ? " (zh)" : ""}${id.has(text) ? " (id)" : ""}`);
      }
    }
    if (unchanged.length) console.log(`Not localized:\n  ${unchanged.join("\n  ")}`);
    assert.deepEqual(unchanged, [], "texts that stay the same in another language");
  });
});
