import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserSkip, repo, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

// axe-core, run inside the page (its script injected, nothing fetched), over the main screens of both markets in
// both themes: what a screen reader user and a low-vision reader meet. Serious and critical findings fail.
const skip = browserSkip;
const axeSource = () => readFileSync(repo("node_modules/axe-core/axe.min.js"), "utf8");

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe's violations on the page as it is now (the page's own script is left alone: axe is a global it adds). */
async function scan(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.addScriptTag({ content: axeSource() });
  return page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map((n) => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  })))`);
}

describe("accessibility of the web app and /admin, in Chromium with axe-core", { skip }, () => {
  let server: ShippedServer;
  let browser: Browser;
  let origin: (host: string) => string;
  before(async () => ({ server, browser, origin } = await startShipped()));
  after(() => closeShipped({ server, browser }));

  it("has no serious or critical violation on the empty chat, a conversation, the settings and /admin (cn and global, light and dark)", async () => {
    const serious: string[] = [];
    const record = (where: string, found: Finding[]) => {
      for (const f of found) {
        const line = `${where}: [${f.impact}] ${f.id} (${f.help})\n    ${f.nodes.join("\n    ")}`;
        console.log(line);
        if (f.impact === "serious" || f.impact === "critical") serious.push(line);
      }
    };
    for (const market of ["cn", "global"] as const) {
      for (const theme of ["light", "dark"] as const) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: theme });
        const page = await context.newPage();
        const where = (screen: string) => `${market} ${theme} ${screen}`;
        await page.goto(origin(`${market}.localhost`));
        await page.getByTestId("starter").first().waitFor();
        assert.equal(await page.evaluate("document.documentElement.dataset.theme"), theme, "the device's theme is followed");
        record(where("empty chat"), await scan(page));

        await page.getByTestId("open-settings").click();
        await page.getByTestId("settings").waitFor();
        record(where("settings"), await scan(page));
        await page.screenshot({ path: `${shots}/a11y-${market}-${theme}-settings.png` });
        await page.keyboard.press("Escape");
        await page.getByTestId("settings").waitFor({ state: "detached" });

        await page.getByTestId("starter").first().click();
        await page.getByTestId("input").press("Enter");
        await page.locator('[data-testid=assistant-turn][data-state="done"]').waitFor({ timeout: 30_000 });
        record(where("conversation"), await scan(page));
        await page.screenshot({ path: `${shots}/a11y-${market}-${theme}-conversation.png` });

        for (const path of ["/admin", "/admin/setup"]) {
          await page.goto(`${origin(`${market}.localhost`)}${path}`);
          await page.getByTestId(path === "/admin" ? "runs" : "setup").waitFor();
          record(where(path), await scan(page));
        }
        await page.screenshot({ path: `${shots}/a11y-${market}-${theme}-setup.png`, fullPage: true });
        await context.close();
      }
    }
    assert.deepEqual(serious, [], "serious or critical accessibility violations");
  });

  it("fits a 390 px phone: nothing cut off, a new chat from the top bar, and the agent picker says what it does in a chat", async () => {
    for (const market of ["cn", "global"] as const) {
      for (const theme of ["light", "dark"] as const) {
        const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: theme });
        const page = await context.newPage();
        const shot = (what: string) => page.screenshot({ path: `${shots}/phone-${market}-${theme}-${what}.png` });
        await page.goto(origin(`${market}.localhost`));
        await page.getByTestId("starter").first().waitFor();
        assert.ok(await page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "no sideways scrolling");
        const cut = await page.evaluate(
          "[...document.querySelectorAll('.picker .shown')].filter((s) => s.scrollWidth > s.clientWidth).map((s) => s.textContent)",
        );
        assert.deepEqual(cut, [], "every picker shows its whole value");
        await shot("empty");

        const ask = async () => {
          await page.getByTestId("starter").first().click();
          await page.getByTestId("input").press("Enter");
          await page.locator('[data-testid=assistant-turn][data-state="done"]').waitFor({ timeout: 30_000 });
        };
        await ask();
        await shot("conversation");
        await page.getByTestId("bar-new-chat").click();
        await page.getByTestId("intro").waitFor();
        assert.equal(await page.getByTestId("assistant-turn").count(), 0, "the top bar's + starts a new chat");

        await ask();
        const agent = page.getByTestId("agent");
        const why =
          market === "cn"
            ? "智能体在对话开始时选定：在这里换一个会用它开始新对话。"
            : "Agents are chosen when a chat starts: picking one here starts a new chat with it.";
        assert.equal(await agent.isEnabled(), true, "not silently greyed");
        assert.equal(await agent.locator("optgroup").getAttribute("label"), why, "said in the list a tap opens");
        await agent.selectOption("translator");
        await page.getByTestId("intro").waitFor();
        assert.equal(await page.getByTestId("assistant-turn").count(), 0, "picking an agent in a chat starts a new one");
        assert.equal(await agent.inputValue(), "translator");
        await context.close();
      }
    }
  });

  it("is usable from the keyboard: Tab to the settings, Enter opens them, the language changes by keys, Escape gives focus back", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(origin("global.localhost"));
    await page.getByTestId("starter").first().waitFor();
    const focused = () => page.evaluate("document.activeElement?.dataset?.testid ?? document.activeElement?.tagName");
    const tabTo = async (testId: string) => {
      for (let i = 0; i < 40 && (await focused()) !== testId; i++) await page.keyboard.press("Tab");
      assert.equal(await focused(), testId, `Tab reaches ${testId}`);
    };
    await tabTo("open-settings");
    // The focused control shows it: a ring a sighted keyboard user can see.
    assert.notEqual(await page.evaluate("getComputedStyle(document.activeElement).outlineStyle"), "none");
    await page.keyboard.press("Enter");
    await page.getByTestId("settings").waitFor();
    assert.equal(await page.getByTestId("settings").getAttribute("aria-label"), "Settings");
    await tabTo("settings-locale");
    assert.equal(await page.getByTestId("settings-locale").inputValue(), "en");
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.getByTestId("settings-locale").inputValue(), "id");
    assert.equal(await page.evaluate("document.documentElement.lang"), "id");
    assert.equal(await page.getByTestId("settings").getAttribute("aria-label"), "Pengaturan", "the dialog speaks the new language");
    await page.keyboard.press("Escape");
    await page.getByTestId("settings").waitFor({ state: "detached" });
    assert.equal(await focused(), "open-settings", "focus is back on the settings button");
    assert.equal(await page.getByTestId("open-settings").getAttribute("aria-label"), "Pengaturan");
    await page.close();
  });
});
