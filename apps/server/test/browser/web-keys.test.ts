import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium } from "./chromium.ts";

// The web app on a server that requires API keys (as any server beyond loopback does): it asks for a key, keeps
// it, and sends it with everything, media and downloads included.
const skip = browserSkip;

describe("the web app with API keys required", { skip }, () => {
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let key: string;

  before(async () => {
    upstream = await startFakeOpenAI({ models: ["echo"] });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-up", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `
auth: { required: true }
routes:
  - { model: echo, targets: [{ provider: openai, model: echo }] }
assistant:
  images: [{ name: openai, type: openai, baseURL: "${upstream.url}/v1", apiKey: sk-up, model: gpt-image-1 }]
`,
    });
    key = (await server.store.apiKeys.create("web user")).key;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  it("asks for a key, refuses a wrong one, then chats, shows drawn images and exports with the right one", async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(server.url);
    // Sign-in is required: the app opens on its sign-in screen, which offers a key instead.
    await page.getByTestId("signin-form").waitFor();
    await page.getByTestId("signin-use-key").click();
    await page.getByTestId("api-key").fill("bk-not-a-key");
    await page.getByTestId("api-key").press("Enter");
    await page.getByText("That key was not accepted.").waitFor();
    await page.getByTestId("api-key").fill(key);
    await page.getByTestId("api-key").press("Enter");
    await page.getByTestId("input").fill("Halo");
    await page.getByTestId("input").press("Enter");
    await page.getByTestId("assistant-turn").and(page.locator('[data-state="done"]')).waitFor();
    assert.equal(await page.getByTestId("assistant-turn").locator(".md").textContent(), "(1) Halo");

    await page.getByTestId("skill-image").click();
    await page.getByTestId("input").fill("a lantern");
    await page.getByTestId("input").press("Enter");
    await page.waitForFunction("document.querySelector('[data-testid=drawn-image]')?.naturalWidth > 0");
    assert.match((await page.getByTestId("drawn-image").getAttribute("src"))!, /^blob:/, "fetched with the key");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
    assert.equal(download.suggestedFilename(), "Halo.md");
    assert.match(readFileSync((await download.path())!, "utf8"), /^# Halo\n[\s\S]*## You\n/);
    // The export speaks the UI's language.
    await page.getByTestId("locale").selectOption("id");
    const [inId] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
    assert.match(readFileSync((await inId.path())!, "utf8"), /\n## Anda\n/);
    await context.close();
  });
});
