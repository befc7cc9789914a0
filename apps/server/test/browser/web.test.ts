import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkip, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

// Real Chromium (Debian's, which .ci/run installs) against the whole server with the shipped benih.yaml and the
// committed models. Chromium resolves *.localhost to this machine, so each market is reached by its own host.
const skip = browserSkip;

describe("the web app in Chromium", { skip }, () => {
  let server: ShippedServer;
  let browser: Browser;
  let origin: (host: string) => string;
  before(async () => ({ server, browser, origin } = await startShipped()));
  after(() => closeShipped({ server, browser }));

  it("cn.localhost shows the cn brand in Chinese, global.localhost the global brand in English (desktop and 390 px)", async () => {
    for (const [host, brand, lang, placeholder, send] of [
      ["cn.localhost", "种子", "zh-CN", "输入消息", "发送"],
      ["global.localhost", "Benih", "en", "Message", "Send"],
    ] as const) {
      for (const [width, height] of [
        [1280, 800],
        [390, 844],
      ] as const) {
        const page = await browser.newPage({ viewport: { width, height } });
        const problems: string[] = [];
        page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
        page.on("response", (r) => void (r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`)));
        await page.goto(origin(host));
        await page.getByTestId("brand").getByText(brand, { exact: true }).waitFor();
        assert.equal(await page.evaluate("document.documentElement.lang"), lang);
        assert.equal(await page.title(), brand);
        assert.equal(await page.getByTestId("input").getAttribute("placeholder"), placeholder);
        assert.equal(await page.getByTestId("send").textContent(), send);
        const model = await page.getByTestId("model").inputValue();
        assert.equal(model, host === "cn.localhost" ? "benih-tiny-cn" : "benih-tiny-global", "the market's own model, and only it");
        assert.equal(await page.getByTestId("model").locator("option").count(), 1);
        // Nothing overflows sideways at phone width.
        assert.ok(
          await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"),
          `${host} at ${width}px scrolls sideways`,
        );
        await page.screenshot({ path: `${shots}/${host.split(".")[0]}-${width}.png` });
        assert.deepEqual(problems, [], "no console error and no failed request, the page's icon included");
        await page.close();
      }
    }
  });

  it("serves the icon the page links to", async () => {
    const html = await (await fetch(server.url)).text();
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/.exec(html)?.[1];
    assert.equal(href, "/favicon.svg");
    const icon = await fetch(`${server.url}${href}`);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get("content-type")!, /^image\/svg\+xml/);
    assert.match(await icon.text(), /^<svg /);
  });

  it("streams an answer from the market's model, switches the UI language, and keeps the choice", async () => {
    const page = await browser.newPage();
    await page.goto(origin("global.localhost"));
    await page.getByTestId("input").fill("What is the capital of Indonesia?");
    await page.getByTestId("input").press("Enter");
    const answer = page.getByTestId("assistant-turn").last();
    await answer.and(page.locator('[data-state="done"]')).waitFor({ timeout: 20_000 });
    assert.equal((await answer.locator(".bubble").textContent())?.trim(), "Jakarta.");
    assert.equal(await page.getByTestId("user-turn").count(), 1);

    await page.goto(origin("cn.localhost"));
    await page.getByTestId("locale").selectOption("en");
    assert.equal(await page.getByTestId("send").textContent(), "Send");
    await page.reload();
    assert.equal(await page.getByTestId("send").textContent(), "Send", "the language choice is kept");
    await page.getByTestId("locale").selectOption("zh");
    await page.getByTestId("input").fill("你是谁？");
    await page.getByTestId("send").click();
    const cn = page.getByTestId("assistant-turn").last();
    await cn.and(page.locator('[data-state="done"]')).waitFor({ timeout: 20_000 });
    assert.equal((await cn.locator(".bubble").textContent())?.trim(), "我是benih，一个开源的AI助手。");
    await page.screenshot({ path: `${shots}/cn-chat-1280.png` });
    await page.close();
  });
});
