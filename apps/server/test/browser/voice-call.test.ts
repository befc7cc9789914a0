import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FakeServer, startFakeOpenAI } from "@benih/fake-upstreams";
import type { Browser } from "playwright-core";
import { startServer } from "../harness.ts";
import { formOf } from "../multipart.ts";
import { browserSkip, fakeMicrophone, launchChromium, shots } from "./chromium.ts";

// A voice call in Chromium, its microphone a WAV that loops: a second of silence, a question spoken by espeak-ng,
// then five seconds of silence. Each time the question comes round is a turn. The answers come from a loopback
// OpenAI server, long and paced, so the next turn starts while the first answer is still being written and spoken:
// that is a barge-in, which must cut the voice and stop the answer.
const skip = browserSkip;
// Long enough (about 25 s at the fake's pace) that the second turn always barges in on it, also on a busy machine.
const long = Array.from({ length: 40 }, (_, i) => `Step ${i + 1} of a long walk through the rice fields.`).join(" ");
const transcripts = ["Tell me about the rice fields.", "Thank you, that is enough."];

describe("a voice call, in Chromium with a fake microphone", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "benih-call-"));
  const wav = join(dir, "turn.wav");
  /** What the loopback speech recognition server received: its type and length as ffprobe read it. */
  const received: Array<{ type: string; seconds: number }> = [];
  const asr: Server = createServer(async (req, res) => {
    const file = (await formOf(req)).get("file") as File;
    const path = join(dir, `upload-${received.length}`);
    writeFileSync(path, Buffer.from(await file.arrayBuffer()));
    const seconds = Number(execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]).toString());
    received.push({ type: file.type, seconds });
    const text = transcripts[received.length - 1] ?? "Goodbye.";
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text }));
  });
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;

  before(async () => {
    const speech = join(dir, "speech.wav");
    execFileSync("espeak-ng", ["-v", "en-us", "-w", speech, "What is the capital of Indonesia?"]);
    execFileSync("ffmpeg", [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-t",
      "1",
      "-i",
      "anullsrc=r=22050:cl=mono",
      "-i",
      speech,
      "-f",
      "lavfi",
      "-t",
      "5",
      "-i",
      "anullsrc=r=22050:cl=mono",
      "-filter_complex",
      "[0][1][2]concat=n=3:v=0:a=1",
      "-ar",
      "48000",
      wav,
    ]);
    await new Promise<void>((r) => asr.listen(0, "127.0.0.1", () => r()));
    upstream = await startFakeOpenAI({ models: [], chunkDelayMs: 60 });
    server = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `
routes:
  - { model: long, targets: [{ provider: openai, model: "say:${long}" }] }
assistant:
  transcription:
    - { name: asr, type: openai-compatible, baseURL: "http://127.0.0.1:${(asr.address() as { port: number }).port}/v1", model: whisper-1 }
`,
    });
    browser = await launchChromium(fakeMicrophone(wav));
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
    await new Promise<void>((r) => asr.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("takes two spoken turns, speaks the answer as it streams, and a new turn barges in on it", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.goto(server.url);
    await page.getByTestId("model").selectOption("long");
    await page.getByTestId("start-call").click();
    const call = page.getByTestId("call");
    await call.waitFor();
    // A log of the voice (playing, paused, ended) and of the call (a barge-in shown, turn two heard), in page time.
    await page.evaluate(`(() => {
      const audio = document.querySelector('[data-testid="call-audio"]');
      const call = document.querySelector('[data-testid="call"]');
      const log = (window.callLog = []);
      for (const type of ["playing", "pause", "ended"]) audio.addEventListener(type, () => log.push({ type, at: performance.now() }));
      new MutationObserver(() => {
        if (call.dataset.bargeIns === "1" && !log.some((e) => e.type === "barge-in")) log.push({ type: "barge-in", at: performance.now(), paused: audio.paused });
        if (call.querySelector('[data-testid="caption-you"]')?.textContent.includes(${JSON.stringify(transcripts[1])}) && !log.some((e) => e.type === "turn-two"))
          log.push({ type: "turn-two", at: performance.now() });
      }).observe(call, { attributes: true, subtree: true, childList: true, characterData: true });
    })()`);

    // Turn one: written out, sent, and its answer spoken while it is still being written.
    await page.getByTestId("caption-you").filter({ hasText: transcripts[0]! }).waitFor({ timeout: 30_000 });
    await page.getByTestId("caption-assistant").filter({ hasText: "Step 1" }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      `(() => { const a = document.querySelector('[data-testid="call-audio"]'); return a && a.duration > 0 && a.currentTime > 0 && !a.paused; })()`,
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: `${shots}/voice-call-speaking.png` });

    // The question comes round again while the answer streams: the voice stops, the answer stops, turn two goes on.
    await page.waitForFunction(`document.querySelector('[data-testid="call"]')?.dataset.bargeIns >= 1`, undefined, { timeout: 30_000 });
    await page.getByTestId("caption-you").filter({ hasText: transcripts[1]! }).waitFor({ timeout: 30_000 });
    // The voice is silent when the barge-in shows (cut off mid-sentence, or between two sentences: timing decides),
    // and none of the first answer is said after it, up to the moment turn two is heard.
    const log = (await page.evaluate("window.callLog")) as Array<{ type: string; at: number; paused?: boolean }>;
    const bargeIn = log.find((e) => e.type === "barge-in");
    const turnTwo = log.find((e) => e.type === "turn-two");
    assert.ok(bargeIn && turnTwo, `the log has the barge-in and turn two: ${JSON.stringify(log)}`);
    assert.equal(bargeIn.paused, true, "the voice stopped at the barge-in");
    assert.ok(
      log.some((e) => e.type === "playing" && e.at < bargeIn.at),
      "the first answer was heard before the barge-in",
    );
    assert.deepEqual(
      log.filter((e) => e.type === "playing" && e.at > bargeIn.at && e.at < turnTwo.at),
      [],
      "nothing more of the first answer is said after the barge-in",
    );
    // Turn two's answer is spoken too: the audio plays again after the barge-in.
    await page.waitForFunction(
      `(() => { const a = document.querySelector('[data-testid="call-audio"]'); return a && a.currentTime > 0 && !a.paused; })()`,
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: `${shots}/voice-call-second-turn.png` });
    await page.getByTestId("end-call").click();
    assert.equal(await call.count(), 0, "the call view is gone");

    // The call is a conversation like any other: both questions, the first answer cut short where the barge-in was.
    const questions = page.getByTestId("user-turn").locator(".plain");
    await page.waitForFunction(`document.querySelectorAll('[data-testid="user-turn"]').length >= 2`, undefined, { timeout: 15_000 });
    assert.deepEqual(
      (await questions.allTextContents()).slice(0, 2).map((q) => q.trim()),
      transcripts,
    );
    const first = page.getByTestId("assistant-turn").first();
    await first.and(page.locator('[data-state="stopped"]')).waitFor({ timeout: 15_000 });
    const cut = (await first.locator(".bubble").textContent()) ?? "";
    assert.match(cut, /^Step 1 of a long walk/);
    assert.ok(cut.length < long.length, "the first answer was stopped before its end");

    // What was sent to be transcribed: WAV recordings of about the spoken question's length.
    assert.ok(received.length >= 2);
    for (const r of received.slice(0, 2)) {
      assert.equal(r.type, "audio/wav");
      assert.ok(r.seconds > 1.2 && r.seconds < 5, `a turn of ${r.seconds} s`);
    }
    await page.close();
  });

  it("says what to configure when the server has no speech recognition", async () => {
    const bare = await startServer({
      env: { OPENAI_API_KEY: "sk-upstream", OPENAI_BASE_URL: `${upstream.url}/v1` },
      yaml: `routes:\n  - { model: long, targets: [{ provider: openai, model: "say:${long}" }] }\n`,
    });
    try {
      const page = await browser.newPage();
      await page.goto(bare.url);
      await page.getByTestId("start-call").click();
      const problem = page.getByTestId("call-problem");
      await problem.waitFor();
      assert.match((await problem.textContent()) ?? "", /assistant\.transcription/);
      await page.screenshot({ path: `${shots}/voice-call-not-configured.png` });
      await page.keyboard.press("Escape");
      assert.equal(await page.getByTestId("call").count(), 0, "Escape hangs up");
      await page.close();
    } finally {
      await bare.close();
    }
  });
});
