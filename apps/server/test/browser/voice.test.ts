import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { startServer } from "../harness.ts";
import { formOf } from "../multipart.ts";
import { browserSkip, fakeMicrophone, launchChromium, repo, shots } from "./chromium.ts";
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

describe("speaking a message, in Chromium with a fake microphone", { skip }, () => {
  const said = "What is the capital of Indonesia?";
  const dir = mkdtempSync(join(tmpdir(), "benih-voice-"));
  const wav = join(dir, "question.wav");
  /** What the loopback speech recognition server received, as ffprobe read it. */
  const received: Array<{ type: string; seconds: number; language?: string; model?: string }> = [];
  const asr: Server = createServer(async (req, res) => {
    const form = await formOf(req);
    const file = form.get("file") as File;
    const path = join(dir, `upload-${received.length}`);
    writeFileSync(path, Buffer.from(await file.arrayBuffer()));
    // A decodable recording: ffprobe finds its audio and how long it is.
    const seconds = Number(execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]).toString());
    received.push({ type: file.type, seconds, language: String(form.get("language")), model: String(form.get("model")) });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text: said }));
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  let bare: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    execFileSync("espeak-ng", ["-v", "en-us", "-w", wav, said]);
    await new Promise<void>((r) => asr.listen(0, "127.0.0.1", () => r()));
    const shipped = readFileSync(repo("benih.yaml"), "utf8");
    const asrUrl = `http://127.0.0.1:${(asr.address() as { port: number }).port}/v1`;
    server = await startServer({
      yaml: `${shipped}\nassistant:\n  transcription:\n    - { name: openai, type: openai-compatible, baseURL: "${asrUrl}", model: whisper-1 }\n`,
      env: { BENIH_MODELS_DIR: repo("models") },
    });
    bare = await startServer({ yaml: shipped, env: { BENIH_MODELS_DIR: repo("models") } });
    browser = await launchChromium(fakeMicrophone(wav));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bare?.close();
    await new Promise<void>((r) => asr.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("records, shows the level, writes out what was said, and sends it", async () => {
    const page = await browser.newPage();
    await page.goto(server.url.replace("127.0.0.1", "global.localhost"));
    await page.getByTestId("mic").click();
    await page.getByTestId("mic-level").waitFor();
    assert.equal(await page.getByTestId("mic").getAttribute("aria-pressed"), "true");
    await page.screenshot({ path: `${shots}/mic-recording.png` });
    await page.waitForTimeout(2_500);
    await page.getByTestId("mic").click();
    await page.waitForFunction(`document.querySelector('[data-testid="input"]')?.value === ${JSON.stringify(said)}`, undefined, {
      timeout: 15_000,
    });
    assert.equal(received.length, 1);
    assert.ok(received[0]!.seconds > 1, `a recording of ${received[0]!.seconds} s`);
    assert.equal(received[0]!.type, "audio/wav", "a WAV every recogniser reads");
    assert.equal(received[0]!.language, "en");
    assert.equal(received[0]!.model, "whisper-1", "the market's speech recognition model");
    await page.getByTestId("input").press("Enter");
    const answer = page.getByTestId("assistant-turn").last();
    await answer.and(page.locator('[data-state="done"]')).waitFor({ timeout: 20_000 });
    assert.equal((await answer.locator(".bubble").textContent())?.trim(), "Jakarta.");
    await page.close();
  });

  it("says what to configure where the server has no speech recognition, and cancels a recording", async () => {
    const page = await browser.newPage();
    await page.goto(bare.url.replace("127.0.0.1", "global.localhost"));
    await page.getByTestId("mic").click();
    await page.getByTestId("mic-cancel").click();
    assert.equal(await page.getByTestId("mic-level").count(), 0, "cancelled: not recording");
    await page.getByTestId("mic").click();
    await page.getByTestId("mic-level").waitFor();
    await page.waitForTimeout(800);
    await page.getByTestId("mic").click();
    const problem = page.getByTestId("mic-problem");
    await problem.waitFor();
    assert.match((await problem.textContent()) ?? "", /assistant\.transcription/);
    assert.equal(await page.getByTestId("input").inputValue(), "");
    await page.screenshot({ path: `${shots}/mic-not-configured.png` });
    await page.close();
  });
});
