import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startFakeVolcengineSpeech, type FakeServer } from "@benih/fake-upstreams";
import OpenAI, { toFile } from "openai";
import { request } from "undici";
import { parseConfig } from "../../src/config/load.ts";
import { startServer } from "../harness.ts";

// Volcano Engine's Doubao speech through benih's OpenAI audio API: synthesis over its HTTP TTS API and recognition
// with its flash recorded-file API, against a loopback server speaking both as documented, errors included.
const tools = (() => {
  try {
    execFileSync("espeak-ng", ["--version"]);
    execFileSync("ffprobe", ["-version"]);
    return true;
  } catch {
    return false;
  }
})();
if (!tools && process.env.BENIH_REQUIRE_ESPEAK) throw new Error("BENIH_REQUIRE_ESPEAK is set but espeak-ng or ffprobe is missing");

/** A recording of `text`, made with espeak-ng. */
const spoken = (text: string) => execFileSync("espeak-ng", ["-v", "en-us", "--stdout", text]);

const TRANSCRIPT = "What is the capital of Indonesia? It is Jakarta.";
let volc: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  volc = await startFakeVolcengineSpeech({ appId: "8675309", token: "volc-token", transcript: TRANSCRIPT });
  server = await startServer({
    yaml: `
markets:
  - { id: cn, region: cn, hosts: [cn.localhost, 127.0.0.1], allow: ["doubao/*", "doubao-badkey/*"], defaultLocale: zh, locales: [zh], displayName: { zh: 种子 }, brand: { name: { zh: 种子 }, colors: { primary: "#e5484d" } }, policy: { blocked: [], refusal: { zh: 抱歉 } } }
  - { id: global, region: global, hosts: [global.localhost], allow: ["local/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { en: Sorry } } }
assistant:
  speech:
    - { name: doubao, type: volcengine, baseURL: "${volc.url}", appId: "8675309", apiKey: volc-token, model: volcano_tts }
    - { name: doubao-badkey, type: volcengine, baseURL: "${volc.url}", appId: "8675309", apiKey: wrong-token, model: volcano_tts }
  transcription:
    - { name: doubao, type: volcengine, baseURL: "${volc.url}", appId: "8675309", apiKey: volc-token, model: volc.bigasr.auc_turbo }
    - { name: doubao-badkey, type: volcengine, baseURL: "${volc.url}", appId: "8675309", apiKey: wrong-token, model: volc.bigasr.auc_turbo }
`,
  });
});
after(async () => {
  await server?.close();
  await volc?.close();
});

const hostFor = (host: string) => `${host}:${new URL(server.url).port}`;

async function speech(host: string, body: unknown) {
  const res = await request(`${server.url}/v1/audio/speech`, {
    method: "POST",
    headers: { host: hostFor(host), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const json = String(res.headers["content-type"]).includes("json") ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.statusCode, type: String(res.headers["content-type"]), bytes, json };
}

async function transcribe(host: string, file: Buffer, fields: Record<string, string>, task = "transcriptions") {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(file)], { type: "audio/wav" }), "speech.wav");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const encoded = new Response(form);
  const res = await request(`${server.url}/v1/audio/${task}`, {
    method: "POST",
    headers: { host: hostFor(host), "content-type": encoded.headers.get("content-type")! },
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

/** What the fake was sent for synthesis, last first. */
const lastTts = () => volc.seen.filter((s) => s.path === "/api/v1/tts").at(-1)!;
const ttsCount = () => volc.seen.filter((s) => s.path === "/api/v1/tts").length;
const asrCount = () => volc.seen.filter((s) => s.path.endsWith("/recognize/flash")).length;

/** ffprobe's duration of a file, in seconds (read from a file: from a pipe it cannot say). */
function probeSeconds(bytes: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), "volc-audio-"));
  try {
    writeFileSync(join(dir, "audio"), bytes);
    const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", join(dir, "audio")]);
    return Number.parseFloat(out.toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Volcano Engine speech synthesis", () => {
  it("will not start without the app id and access token its APIs need", () => {
    const yaml = (fields: string) => `assistant:\n  speech:\n    - { name: doubao, type: volcengine, model: volcano_tts${fields} }\n`;
    assert.throws(() => parseConfig(yaml(", apiKey: t"), "benih.yaml", {}), /volcengine needs appId and apiKey/);
    assert.throws(() => parseConfig(yaml(', appId: "1"'), "benih.yaml", {}), /volcengine needs appId and apiKey/);
    assert.doesNotThrow(() => parseConfig(yaml(', appId: "1", apiKey: t'), "benih.yaml", {}));
  });

  it("speaks through its HTTP TTS API, with a voice for the text's language, and passes its audio on", async () => {
    const en = await speech("cn.localhost", {
      model: "doubao/volcano_tts",
      input: "Good morning, how are you today?",
      voice: "nova",
      response_format: "wav",
    });
    assert.equal(en.status, 200, en.bytes.toString().slice(0, 300));
    assert.equal(en.type, "audio/wav");
    assert.equal(en.bytes.subarray(0, 4).toString(), "RIFF");
    assert.equal(en.bytes.subarray(8, 12).toString(), "WAVE");
    const sent = lastTts();
    assert.equal(sent.headers.authorization, "Bearer;volc-token", "its documented Bearer;token form");
    assert.deepEqual(sent.body.app, { appid: "8675309", token: "volc-token", cluster: "volcano_tts" });
    assert.equal(sent.body.request.operation, "query");
    assert.equal(sent.body.request.text, "Good morning, how are you today?");
    assert.match(sent.body.request.reqid, /^[0-9a-f-]{36}$/);
    assert.equal(sent.body.audio.encoding, "wav");
    assert.match(sent.body.audio.voice_type, /^en_female_/, "an English voice for English text");
    // The audio is the provider's, byte for byte: the fake said how long it is.
    const wavSeconds = (en.bytes.length - 44) / en.bytes.readUInt32LE(28);
    assert.ok(Math.abs(wavSeconds - 6 / 4) < 0.01, `${wavSeconds} s`);

    const zh = await speech("cn.localhost", { model: "volcano_tts", input: "你好，今天天气很好。", voice: "nova", response_format: "pcm" });
    assert.deepEqual([zh.status, zh.type], [200, "audio/pcm"]);
    assert.match(lastTts().body.audio.voice_type, /^zh_female_/, "a Mandarin voice for Chinese text");
    assert.equal(lastTts().body.audio.encoding, "pcm");
    assert.equal(zh.bytes.length % 2, 0, "16-bit samples");

    const own = await speech("cn.localhost", {
      model: "volcano_tts",
      input: "你好",
      voice: "zh_male_M392_conversation_wvae_bigtts",
      response_format: "opus",
      speed: 1.5,
    });
    assert.deepEqual([own.status, own.type], [200, "audio/ogg"]);
    assert.equal(own.bytes.subarray(0, 4).toString(), "OggS");
    assert.equal(lastTts().body.audio.voice_type, "zh_male_M392_conversation_wvae_bigtts", "its own voice ids pass through");
    assert.deepEqual([lastTts().body.audio.encoding, lastTts().body.audio.speed_ratio], ["ogg_opus", 1.5]);
    if (tools) assert.ok(probeSeconds(own.bytes) > 0.2, "ffprobe reads the Ogg Opus");
  });

  it("answers the openai SDK's audio.speech.create, as mp3 by default", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk", "user", "cn")).key });
    const mp3 = Buffer.from(
      await (await client.audio.speech.create({ model: "volcano_tts", voice: "alloy", input: "Good morning." })).arrayBuffer(),
    );
    assert.ok(mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0, "an MP3 frame");
    assert.equal(lastTts().body.audio.encoding, "mp3");
    if (tools) assert.ok(probeSeconds(mp3) > 0.2, "ffprobe reads the MP3");
  });

  it("turns its errors into errors the caller can act on, and refuses what it cannot do before calling it", async () => {
    const badKey = await speech("cn.localhost", { model: "doubao-badkey/volcano_tts", input: "Hello", voice: "nova" });
    assert.deepEqual([badKey.status, badKey.json.error.code], [502, "upstream_auth"]);
    const busy = await speech("cn.localhost", { model: "volcano_tts", input: "Hello [busy]", voice: "nova" });
    assert.deepEqual([busy.status, busy.json.error.code], [429, "upstream_rate_limited"]);
    // Under benih's 4,096 characters but over its 1,024 bytes (a Han character is three).
    const long = await speech("cn.localhost", { model: "volcano_tts", input: "长".repeat(400), voice: "nova" });
    assert.deepEqual([long.status, long.json.error.code], [400, "speech_invalid"]);
    assert.match(long.json.error.message, /3010/);
    const noVoice = await speech("cn.localhost", { model: "volcano_tts", input: "Hello", voice: "darth_vader" });
    assert.deepEqual([noVoice.status, noVoice.json.error.code], [400, "speech_invalid"]);
    assert.match(noVoice.json.error.message, /3050/);

    const before = ttsCount();
    for (const format of ["aac", "flac"]) {
      const r = await speech("cn.localhost", { model: "volcano_tts", input: "Hello", voice: "nova", response_format: format });
      assert.deepEqual([r.status, r.json.error.code, r.json.error.param], [400, "unsupported_format", "response_format"]);
      assert.match(r.json.error.message, /mp3, opus, wav or pcm/);
    }
    const fast = await speech("cn.localhost", { model: "volcano_tts", input: "Hello", voice: "nova", speed: 4 });
    assert.deepEqual([fast.status, fast.json.error.param], [400, "speed"]);
    assert.equal(ttsCount(), before, "none of those reached the provider");
  });

  it("is held to the market's allow-list", async () => {
    const r = await speech("global.localhost", { model: "doubao/volcano_tts", input: "Hello", voice: "nova" });
    assert.deepEqual([r.status, r.json.error.code], [404, "model_not_found"]);
  });
});

describe("Volcano Engine speech recognition", { skip: !tools && "espeak-ng and ffprobe are needed to make and check recordings" }, () => {
  it("answers the openai SDK's audio.transcriptions.create, the recording sent base64 with its documented headers", async () => {
    const recording = spoken("What is the capital of Indonesia? It is Jakarta.");
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk", "user", "cn")).key });
    const out = await client.audio.transcriptions.create({
      file: await toFile(recording, "question.wav", { type: "audio/wav" }),
      model: "volc.bigasr.auc_turbo",
    });
    assert.equal(out.text, TRANSCRIPT);
    const sent = volc.seen.at(-1)!;
    assert.equal(sent.path, "/api/v3/auc/bigmodel/recognize/flash");
    assert.equal(sent.headers["x-api-app-key"], "8675309");
    assert.equal(sent.headers["x-api-access-key"], "volc-token");
    assert.equal(sent.headers["x-api-resource-id"], "volc.bigasr.auc_turbo");
    assert.equal(sent.headers["x-api-sequence"], "-1");
    assert.match(String(sent.headers["x-api-request-id"]), /^[0-9a-f-]{36}$/);
    assert.equal(sent.body.request.model_name, "bigmodel");
    assert.equal(sent.body.audio.format, "wav");
    assert.ok(Buffer.from(sent.body.audio.data, "base64").equals(recording), "the recording reached it byte for byte");
  });

  it("gives each response_format: json, text, srt, vtt and verbose_json from its utterances", async () => {
    const recording = spoken("What is the capital of Indonesia? It is Jakarta.");
    const seconds = (recording.length - 44) / recording.readUInt32LE(28);
    const json = await transcribe("cn.localhost", recording, { model: "volc.bigasr.auc_turbo" });
    assert.deepEqual([json.status, json.json], [200, { text: TRANSCRIPT }]);
    const text = await transcribe("cn.localhost", recording, { model: "volc.bigasr.auc_turbo", response_format: "text" });
    assert.deepEqual([text.status, text.text], [200, `${TRANSCRIPT}\n`]);
    const srt = await transcribe("cn.localhost", recording, { model: "volc.bigasr.auc_turbo", response_format: "srt" });
    assert.equal(srt.status, 200);
    const cues = srt.text.trim().split("\n\n");
    assert.equal(cues.length, 2, srt.text);
    assert.match(cues[0]!, /^1\n00:00:00,000 --> 00:00:0\d,\d{3}\nWhat is the capital of Indonesia\?$/);
    assert.match(cues[1]!, /^2\n00:00:0\d,\d{3} --> 00:00:0\d,\d{3}\nIt is Jakarta\.$/);
    const vtt = await transcribe("cn.localhost", recording, { model: "volc.bigasr.auc_turbo", response_format: "vtt" });
    assert.match(vtt.text, /^WEBVTT\n\n00:00:00\.000 --> 00:00:0\d\.\d{3}\nWhat is the capital of Indonesia\?\n/);
    const verbose = await transcribe("cn.localhost", recording, {
      model: "volc.bigasr.auc_turbo",
      response_format: "verbose_json",
      language: "en",
    });
    assert.equal(verbose.status, 200);
    assert.equal(verbose.json.task, "transcribe");
    assert.equal(verbose.json.language, "english");
    assert.equal(verbose.json.text, TRANSCRIPT);
    assert.ok(Math.abs(verbose.json.duration - seconds) < 0.01, `${verbose.json.duration} s of ${seconds}`);
    assert.equal(verbose.json.segments.length, 2);
    assert.deepEqual(
      verbose.json.segments.map((s: { text: string }) => s.text),
      ["What is the capital of Indonesia?", "It is Jakarta."],
    );
    assert.equal(verbose.json.segments[0].start, 0);
    assert.ok(verbose.json.segments[0].end <= verbose.json.segments[1].start + 0.001 && verbose.json.segments[1].end <= seconds + 0.01);
    assert.equal(volc.seen.at(-1)!.body.audio.language, "en-US", "the client's language, as its code");
  });

  it("transcribes silence to no words, refuses translation, and turns a refused key into upstream_auth", async () => {
    const silence = execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "1", "-f", "wav", "-"]);
    const quiet = await transcribe("cn.localhost", silence, { model: "volc.bigasr.auc_turbo" });
    assert.deepEqual([quiet.status, quiet.json], [200, { text: "" }]);

    const before = asrCount();
    const translated = await transcribe("cn.localhost", spoken("hello"), { model: "volc.bigasr.auc_turbo" }, "translations");
    assert.deepEqual([translated.status, translated.json.error.code], [400, "model_not_supported"]);
    assert.match(translated.json.error.message, /does not translate/);
    assert.equal(asrCount(), before, "translation never reached it");

    const badKey = await transcribe("cn.localhost", spoken("hello"), { model: "doubao-badkey/volc.bigasr.auc_turbo" });
    assert.deepEqual([badKey.status, badKey.json.error.code], [502, "upstream_auth"]);
  });

  it("is held to the market's allow-list", async () => {
    const r = await transcribe("global.localhost", spoken("hello"), { model: "doubao/volc.bigasr.auc_turbo" });
    assert.deepEqual([r.status, r.json.error.code], [404, "model_not_found"]);
  });
});
