import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { DASHSCOPE_THROTTLED_TEXT, type FakeDashScopeSpeech, startFakeDashScopeSpeech } from "@benih/fake-upstreams";
import OpenAI, { toFile } from "openai";
import { request } from "undici";
import { startServer } from "../harness.ts";

// Alibaba Cloud Model Studio (DashScope) speech through benih's OpenAI audio API: CosyVoice synthesis and Paraformer
// recognition, against a loopback server speaking DashScope's WebSocket inference protocol, its errors included.
const tools = (() => {
  try {
    for (const bin of ["espeak-ng", "ffmpeg", "ffprobe"]) execFileSync(bin, [bin === "espeak-ng" ? "--version" : "-version"]);
    return true;
  } catch {
    return false;
  }
})();
if (!tools && process.env.BENIH_REQUIRE_ESPEAK) throw new Error("BENIH_REQUIRE_ESPEAK is set but espeak-ng, ffmpeg or ffprobe is missing");

/** A recording of `text`, made with espeak-ng (a WAV). */
const spoken = (text: string) => execFileSync("espeak-ng", ["-v", "en-us", "--stdout", text]);

/** A WAV as a browser records it: WebM/Opus, streamed (so without a duration in its header). */
const webm = (wav: Buffer) =>
  execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", "-c:a", "libopus", "-f", "webm", "pipe:1"], {
    input: wav,
  });

/** How long audio plays, by decoding it all with ffmpeg (a streamed file's header may not say). */
const secondsOf = (bytes: Buffer) =>
  execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", "16000", "pipe:1"], {
    input: bytes,
    maxBuffer: 1 << 28,
  }).length / 32000;

const SENTENCES = ["What is the capital of Indonesia?", "It is Jakarta."];
let fake: FakeDashScopeSpeech;
let server: Awaited<ReturnType<typeof startServer>>;
let port: string;

before(async () => {
  fake = await startFakeDashScopeSpeech({ apiKey: "sk-bailian", sentences: SENTENCES });
  const models = (kind: string) => `
    - { name: bailian, type: dashscope, baseURL: "${fake.url}", apiKey: sk-bailian, model: ${kind} }
    - { name: badkey, type: dashscope, baseURL: "${fake.url}", apiKey: sk-wrong, model: ${kind} }`;
  server = await startServer({
    yaml: `
markets:
  - { id: cn, region: cn, hosts: [cn.localhost, 127.0.0.1], allow: ["bailian/*", "badkey/*"], defaultLocale: zh, locales: [zh], displayName: { zh: 种子 }, brand: { name: { zh: 种子 }, colors: { primary: "#e5484d" } }, policy: { blocked: [], refusal: { zh: 抱歉 } } }
  - { id: global, region: global, hosts: [global.localhost], allow: ["local/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { en: Sorry } } }
assistant:
  speech:${models("cosyvoice-v2")}
  transcription:${models("paraformer-realtime-v2")}
`,
  });
  port = new URL(server.url).port;
});
after(async () => {
  await server?.close();
  await fake?.close();
});

async function speech(body: unknown, host = "cn.localhost") {
  const started = Date.now();
  const res = await request(`${server.url}/v1/audio/speech`, {
    method: "POST",
    headers: { host: `${host}:${port}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const chunks: Array<{ bytes: Buffer; at: number }> = [];
  for await (const c of res.body) chunks.push({ bytes: c as Buffer, at: Date.now() - started });
  const bytes = Buffer.concat(chunks.map((c) => c.bytes));
  const json = String(res.headers["content-type"]).includes("json") ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.statusCode, type: String(res.headers["content-type"]), bytes, chunks, json };
}

async function transcribe(file: Buffer, fields: Record<string, string>, task = "transcriptions", host = "cn.localhost") {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(file)], { type: "audio/wav" }), "speech.wav");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const encoded = new Response(form);
  const res = await request(`${server.url}/v1/audio/${task}`, {
    method: "POST",
    headers: { host: `${host}:${port}`, "content-type": encoded.headers.get("content-type")! },
    body: Buffer.from(await encoded.arrayBuffer()),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    type: String(res.headers["content-type"]),
    text,
    json: text.startsWith("{") ? JSON.parse(text) : undefined,
  };
}

describe("DashScope speech (CosyVoice, Paraformer)", {
  skip: !tools && "espeak-ng, ffmpeg and ffprobe are needed to make and check audio",
}, () => {
  it("streams CosyVoice's audio frames to the caller as they arrive, with the documented run-task", async () => {
    const r = await speech({
      model: "bailian/cosyvoice-v2",
      input: "你好，欢迎使用。",
      voice: "alloy",
      response_format: "wav",
      speed: 1.5,
    });
    assert.equal(r.status, 200, r.bytes.toString().slice(0, 300));
    assert.equal(r.type, "audio/wav");
    assert.equal(r.bytes.subarray(0, 4).toString(), "RIFF", "a WAV, as the provider sent it");
    assert.ok(Math.abs(secondsOf(r.bytes) - (0.3 + 8 * 0.06)) < 0.05, "the whole audio arrived");
    assert.ok(r.chunks.length >= 3, `${r.chunks.length} chunks`);
    assert.ok(r.chunks.at(-1)!.at - r.chunks[0]!.at >= 80, "the first audio was passed on before the last was made");

    const task = fake.tasks.at(-1)!;
    assert.equal(task.authorization, "bearer sk-bailian");
    assert.deepEqual(task.runTask.header.action, "run-task");
    assert.deepEqual(task.runTask.payload, {
      task_group: "audio",
      task: "tts",
      function: "SpeechSynthesizer",
      model: "cosyvoice-v2",
      parameters: { text_type: "PlainText", voice: "longxiaochun_v2", format: "wav", sample_rate: 24000, rate: 1.5 },
      input: {},
    });
    assert.deepEqual(task.texts, ["你好，欢迎使用。"]);

    const own = await speech({ model: "cosyvoice-v2", input: "Hi", voice: "loongbella_v2", response_format: "pcm" });
    assert.equal(own.status, 200);
    assert.equal(fake.tasks.at(-1)!.runTask.payload.parameters.voice, "loongbella_v2", "the provider's own voice ids pass through");
    assert.equal(own.bytes.length, Math.round((0.3 + 2 * 0.06) * 24000) * 2, "24 kHz 16-bit PCM, as OpenAI's pcm");
  });

  it("closes the provider's socket when the caller goes away mid-audio", async () => {
    const gone = new AbortController();
    const res = await request(`${server.url}/v1/audio/speech`, {
      method: "POST",
      headers: { host: `cn.localhost:${port}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "cosyvoice-v2",
        input: "这是一段比较长的文字，用来测试中途离开。",
        voice: "echo",
        response_format: "pcm",
      }),
      signal: gone.signal,
    });
    assert.equal(res.statusCode, 200);
    for await (const _ of res.body) break; // the first audio, then the caller leaves
    gone.abort();
    const task = fake.tasks.at(-1)!;
    for (let i = 0; i < 50 && !task.abandoned; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(task.abandoned, "benih closed the WebSocket before the task finished");
  });

  it("answers the openai SDK's audio.speech.create and audio.transcriptions.create", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk", "user", "cn")).key });
    const mp3 = Buffer.from(
      await (await client.audio.speech.create({ model: "cosyvoice-v2", voice: "nova", input: "早上好。" })).arrayBuffer(),
    );
    assert.ok(mp3.subarray(0, 3).toString() === "ID3" || (mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0), "an MP3 stream");
    assert.ok(secondsOf(mp3) > 0.4, "a playable MP3");
    assert.equal(fake.tasks.at(-1)!.runTask.payload.parameters.voice, "longwan_v2");

    // A browser's recording (WebM/Opus) reaches Paraformer as 16 kHz PCM of the same length.
    const recording = spoken("What is the capital of Indonesia? It is Jakarta.");
    const out = await client.audio.transcriptions.create({
      file: await toFile(webm(recording), "mic.webm", { type: "audio/webm" }),
      model: "paraformer-realtime-v2",
      language: "en",
    });
    assert.equal(out.text, SENTENCES.join(" "));
    const task = fake.tasks.at(-1)!;
    assert.deepEqual(task.runTask.payload, {
      task_group: "audio",
      task: "asr",
      function: "recognition",
      model: "paraformer-realtime-v2",
      parameters: { format: "pcm", sample_rate: 16000, language_hints: ["en"] },
      input: {},
    });
    const sent = task.audioBytes / 32000;
    assert.ok(
      Math.abs(sent - secondsOf(recording)) < 0.15,
      `${sent.toFixed(2)} s of PCM for ${secondsOf(recording).toFixed(2)} s recorded`,
    );
    assert.ok(task.audioFrames >= sent * 10 - 1, `${task.audioFrames} frames of 100 ms`);
    assert.ok(task.rms > 200, "speech, not silence");
    assert.ok(!["RIFF", "OggS"].includes(task.head.subarray(0, 4).toString()) && task.head[0] !== 0x1a, "raw samples, no container");
  });

  it("returns each response_format from Paraformer's sentences", async () => {
    const recording = spoken("Hello there. This is a test of the recognition.");
    const ms = Math.round((recording.length - 44) / 44.1);
    const half = Math.round(ms / 2);
    const json = await transcribe(recording, { model: "paraformer-realtime-v2" });
    assert.deepEqual([json.status, json.json], [200, { text: SENTENCES.join(" ") }]);
    const text = await transcribe(recording, { model: "paraformer-realtime-v2", response_format: "text" });
    assert.deepEqual([text.status, text.text], [200, `${SENTENCES.join(" ")}\n`]);
    const srt = await transcribe(recording, { model: "paraformer-realtime-v2", response_format: "srt" });
    assert.equal(srt.status, 200);
    assert.match(
      srt.text,
      /^1\n00:00:00,000 --> 00:00:0\d,\d{3}\nWhat is the capital of Indonesia\?\n\n2\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\nIt is Jakarta\.\n$/,
    );
    const vtt = await transcribe(recording, { model: "paraformer-realtime-v2", response_format: "vtt" });
    assert.equal(vtt.status, 200);
    assert.match(vtt.text, /^WEBVTT\n\n00:00:00\.000 --> 00:00:0\d\.\d{3}\nWhat is the capital of Indonesia\?\n\n00:00:0\d\.\d{3} --> /);
    const verbose = await transcribe(recording, { model: "paraformer-realtime-v2", response_format: "verbose_json" });
    assert.equal(verbose.status, 200);
    const segments = verbose.json.segments as Array<{ start: number; end: number; text: string }>;
    assert.deepEqual(
      segments.map((s) => s.text),
      SENTENCES,
    );
    assert.ok(Math.abs(segments[0]!.end - half / 1000) < 0.1 && Math.abs(segments[1]!.end - ms / 1000) < 0.1, JSON.stringify(segments));
  });

  it("turns DashScope's failures into errors the caller can act on", async () => {
    const badKey = await speech({ model: "badkey/cosyvoice-v2", input: "你好", voice: "alloy" });
    assert.deepEqual([badKey.status, badKey.json?.error.code], [502, "upstream_auth"], badKey.bytes.toString());
    const busy = await speech({ model: "bailian/cosyvoice-v2", input: `${DASHSCOPE_THROTTLED_TEXT}，你好`, voice: "alloy" });
    assert.deepEqual([busy.status, busy.json?.error.code], [429, "upstream_rate_limited"]);
    assert.match(busy.json.error.message, /Throttling\.RateQuota/);

    const before = fake.tasks.length;
    const aac = await speech({ model: "bailian/cosyvoice-v2", input: "你好", voice: "alloy", response_format: "aac" });
    assert.deepEqual([aac.status, aac.json?.error.code, aac.json?.error.param], [400, "speech_invalid", "response_format"]);
    assert.match(aac.json.error.message, /mp3, wav, pcm, opus/);
    const fast = await speech({ model: "bailian/cosyvoice-v2", input: "你好", voice: "alloy", speed: 4 });
    assert.deepEqual([fast.status, fast.json?.error.param], [400, "speed"]);
    assert.equal(fake.tasks.length, before, "refused before the provider was asked");

    const global = await speech({ model: "bailian/cosyvoice-v2", input: "Hello", voice: "alloy" }, "global.localhost");
    assert.deepEqual([global.status, global.json?.error.code], [404, "model_not_found"], "global's allow-list does not have bailian");

    const recording = spoken("hi");
    const badAsr = await transcribe(recording, { model: "badkey/paraformer-realtime-v2" });
    assert.deepEqual([badAsr.status, badAsr.json?.error.code], [502, "upstream_auth"]);
    const translated = await transcribe(recording, { model: "paraformer-realtime-v2" }, "translations");
    assert.deepEqual([translated.status, translated.json?.error.code], [400, "model_not_supported"]);
    assert.match(translated.json.error.message, /does not translate/);
    const elsewhere = await transcribe(recording, { model: "bailian/paraformer-realtime-v2" }, "transcriptions", "global.localhost");
    assert.deepEqual([elsewhere.status, elsewhere.json?.error.code], [404, "model_not_found"]);
  });
});
