import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkip, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

// Arithmetic as a person asks it in the web app on a default start: the shipped model calls the calculator (shown
// under the answer), and answers from its result.
describe("arithmetic through the calculator, in Chromium", { skip: browserSkip }, () => {
  let server: ShippedServer;
  let browser: Browser;
  let origin: (host: string) => string;
  before(async () => ({ server, browser, origin } = await startShipped()));
  after(() => closeShipped({ server, browser }));

  const cases = [
    { host: "global.localhost", question: "what is 37 plus 48", result: "85", shot: "calculator-global" },
    { host: "cn.localhost", question: "37加48等于多少？", result: "85", shot: "calculator-cn" },
    // Chinese numerals: the model calls the calculator with digits.
    { host: "cn.localhost", question: "七乘八等于多少", result: "56", shot: "calculator-cn-numerals" },
  ];
  for (const c of cases) {
    it(`answers "${c.question}" with ${c.result}, from the calculator`, async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
      try {
        await page.goto(origin(c.host));
        await page.getByTestId("input").fill(c.question);
        await page.getByTestId("send").click();
        const answer = page.getByTestId("assistant-turn").first();
        await answer.and(page.locator('[data-state="done"], [data-state="failed"]')).waitFor({ timeout: 60_000 });
        assert.equal(await answer.getAttribute("data-state"), "done", (await answer.textContent()) ?? "");
        const text = (await answer.locator(".bubble").textContent())!;
        assert.match(text, new RegExp(`= ${c.result}(?!\\d)`));
        const call = answer.getByTestId("tool-call");
        assert.equal(await call.count(), 1);
        assert.match((await call.locator("summary").textContent())!, /benih\/calculator/);
        await call.locator("summary").click();
        assert.equal((await call.getByTestId("tool-result").textContent())!.trim(), c.result);
        await page.screenshot({ path: `${shots}/${c.shot}.png` });
      } finally {
        await page.close();
      }
    });
  }
});
