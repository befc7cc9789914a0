import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkip, shots } from "./chromium.ts";
import { closeShipped, type ShippedServer, startShipped } from "./shipped.ts";

// Reading an answer aloud in Chromium, on the shipped config: the offline espeak-ng speaks the market's language
// (the app asks /v1/audio/speech sentence by sentence), and an audio element really plays.
const skip = browserSkip;

describe("read aloud, in Chromium", { skip }, () => {
  let s: { server?: ShippedServer; browser?: Browser; origin?: (host: string) => string } = {};
  before(async () => {
    s = await startShipped();
  });
  after(() => closeShipped(s));

  for (const [host, question, answer] of [
    ["global.localhost", "What is the capital of Indonesia?", "Jakarta."],
    ["cn.localhost", "你是谁？", "我是benih，一个开源的AI助手。"],
  ] as const) {
    it(`reads ${host}'s answer aloud in its language`, async () => {
      const page = await s.browser!.newPage();
      const spoken: Array<{ input: string; status: number; type: string }> = [];
      page.on("response", async (res) => {
        if (!res.url().endsWith("/v1/audio/speech")) return;
        const body = JSON.parse(res.request().postData() ?? "{}") as { input: string };
        spoken.push({ input: body.input, status: res.status(), type: res.headers()["content-type"] ?? "" });
      });
      await page.goto(s.origin!(host));
      await page.getByTestId("input").fill(question);
      await page.getByTestId("input").press("Enter");
      const turn = page.getByTestId("assistant-turn").last();
      await turn.and(page.locator('[data-state="done"]')).waitFor({ timeout: 20_000 });
      assert.equal((await turn.locator(".bubble").textContent())?.trim(), answer);

      await turn.getByTestId("read-aloud").click();
      assert.equal(await turn.getByTestId("read-aloud").getAttribute("aria-pressed"), "true");
      const audio = turn.getByTestId("read-aloud-audio");
      // It plays: a source with a duration, and time passing in it.
      await page.waitForFunction(
        (el) => {
          const a = el as unknown as { duration: number; currentTime: number } | null;
          return !!a && a.duration > 0 && a.currentTime > 0;
        },
        await audio.elementHandle(),
        { timeout: 15_000 },
      );
      assert.deepEqual(spoken, [{ input: answer, status: 200, type: "audio/mpeg" }]);
      await page.screenshot({ path: `${shots}/read-aloud-${host.split(".")[0]}.png` });
      // When it has been read, the button is off again.
      await page.waitForFunction(
        (el) => el?.getAttribute("aria-pressed") === "false",
        await turn.getByTestId("read-aloud").elementHandle(),
        {
          timeout: 15_000,
        },
      );
      await page.close();
    });
  }
});
