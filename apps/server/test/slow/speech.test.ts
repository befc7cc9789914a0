import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { request } from "undici";
import { startServer } from "../harness.ts";

// Text to speech on OpenAI's wire format: offline with espeak-ng (the default, in each market's language), and
// through a loopback server speaking OpenAI's /audio/speech, its errors included.
const espeak = (() => {
  try {
    execFileSync("espeak-ng", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();
if (!espeak && process.env.BENIH_REQUIRE_ESPEAK) throw new Error("BENIH_REQUIRE_ESPEAK is set but espeak-ng is not installed");

/** A speech server as OpenAI documents it: key sk-voice; voice "busy" is rate-limited; audio in two chunks. */
const seen: Array<{ auth?: string; body: Record<string, unknown>; aborted: boolean }> = [];
const upstream: Server = createServer((req, res) => {
  let raw = "";
  req.on("data", (c: Buffer) => (raw += c.toString()));
  req.on("end", () => {
    const body = JSON.parse(raw) as Record<string, unknown>;
    const entry = { ...(req.headers.authorization && { auth: req.headers.authorization }), body, aborted: false };
    seen.push(entry);
    res.on("close", () => (entry.aborted = !res.writableFinished));
    const error = (status: number, message: string, code: string) =>
      res
        .writeHead(status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message, type: "invalid_request_error", code } }));
    if (req.headers.authorization !== "Bearer sk-voice") return error(401, "Incorrect API key provided.", "invalid_api_key");
    if (body.voice === "busy") return error(429, "Rate limit reached for requests", "rate_limit_exceeded");
    if (!["mp3", "wav", "opus", "aac", "flac", "pcm"].includes(String(body.response_format)))
      return error(400, "Invalid response_format", "invalid_value");
    res.writeHead(200, { "content-type": "audio/mpeg", "transfer-encoding": "chunked" });
    res.write(Buffer.from("ID3-first-chunk"));
    setTimeout(() => res.end(Buffer.from("-second-chunk")), 50);
  });
});
let server: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
  server = await startServer({
    yaml: `
markets:
  - { id: cn, region: cn, hosts: [cn.localhost], allow: ["local/*"], defaultLocale: zh, locales: [zh], displayName: { zh: 种子 }, brand: { name: { zh: 种子 }, colors: { primary: "#e5484d" } }, policy: { blocked: [{ term: 网络赌场, category: gambling }], refusal: { zh: 抱歉 } } }
  - { id: global, region: global, hosts: [global.localhost, 127.0.0.1], allow: ["kokoro/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { en: Sorry } } }
  - { id: id, region: id, hosts: [id.localhost], allow: ["local/*"], defaultLocale: id, locales: [id], displayName: { id: Benih }, brand: { name: { id: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { id: Maaf } } }
assistant:
  speech:
    - { name: kokoro, type: openai-compatible, baseURL: "${url}", apiKey: sk-voice, model: kokoro }
    - { name: wrongkey, type: openai-compatible, baseURL: "${url}", apiKey: sk-wrong, model: tts-wrong }
`,
  });
});
after(async () => {
  await server?.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

async function speech(host: string, body: unknown) {
  const res = await request(`${server.url}/v1/audio/speech`, {
    method: "POST",
    headers: { host: `${host}:${new URL(server.url).port}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const json = String(res.headers["content-type"]).includes("json") ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.statusCode, type: String(res.headers["content-type"]), bytes, json };
}

/** A WAV's duration in seconds, from its header (espeak-ng writes a plain 44-byte header). */
function wavSeconds(wav: Buffer): number {
  assert.equal(wav.subarray(0, 4).toString(), "RIFF");
  assert.equal(wav.subarray(8, 12).toString(), "WAVE");
  const byteRate = wav.readUInt32LE(28);
  return (wav.length - 44) / byteRate;
}

describe("text to speech", () => {
  it("speaks offline with espeak-ng in each market's language, for a plausible time", {
    skip: !espeak && "espeak-ng is not installed",
  }, async () => {
    const texts = [
      { host: "cn.localhost", input: "你好，我是一个开源的人工智能助手。", units: 16 },
      { host: "global.localhost", input: "Hello, I am an open source assistant that runs on your own machine.", units: 13 },
      { host: "id.localhost", input: "Halo, saya asisten sumber terbuka yang berjalan di komputer Anda sendiri.", units: 11 },
    ];
    for (const t of texts) {
      const r = await speech(t.host, { model: "espeak-ng", input: t.input, voice: "nova", response_format: "wav" });
      assert.equal(r.status, 200, r.bytes.toString().slice(0, 300));
      assert.equal(r.type, "audio/wav");
      const seconds = wavSeconds(r.bytes);
      // Speech runs at two to five units (words, or Han characters) a second.
      assert.ok(seconds > t.units / 6 && seconds < t.units / 1.5, `${t.host}: ${seconds.toFixed(2)} s for ${t.units} words`);
    }
    const fast = await speech("global.localhost", {
      model: "espeak-ng",
      input: texts[1]!.input,
      voice: "nova",
      response_format: "wav",
      speed: 2,
    });
    const normal = await speech("global.localhost", { model: "espeak-ng", input: texts[1]!.input, voice: "nova", response_format: "wav" });
    assert.ok(wavSeconds(fast.bytes) < wavSeconds(normal.bytes) * 0.7, "speed 2 speaks faster");
  });

  it("answers the openai SDK's audio.speech.create, as mp3 by default", { skip: !espeak && "espeak-ng is not installed" }, async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk", "user", "global")).key });
    const mp3 = Buffer.from(
      await (await client.audio.speech.create({ model: "espeak-ng", voice: "alloy", input: "Good morning." })).arrayBuffer(),
    );
    assert.ok(mp3.length > 500, `${mp3.length} bytes`);
    assert.ok(mp3.subarray(0, 3).toString() === "ID3" || (mp3[0] === 0xff && (mp3[1]! & 0xe0) === 0xe0), "an MP3 stream");
  });

  it("passes a provider's audio on as it streams, and its errors as errors the caller can act on", async () => {
    const ok = await speech("global.localhost", { model: "kokoro", input: "Hello", voice: "af_heart", response_format: "mp3" });
    assert.equal(ok.status, 200);
    assert.equal(ok.bytes.toString(), "ID3-first-chunk-second-chunk");
    assert.deepEqual(seen.at(-1)!.body, { model: "kokoro", input: "Hello", voice: "af_heart", response_format: "mp3", speed: 1 });
    assert.equal(seen.at(-1)!.auth, "Bearer sk-voice");

    const busy = await speech("global.localhost", { model: "kokoro/kokoro", input: "Hello", voice: "busy" });
    assert.deepEqual([busy.status, busy.json.error.code], [429, "upstream_rate_limited"]);
    const cn = await speech("cn.localhost", { model: "kokoro", input: "你好", voice: "af_heart" });
    assert.deepEqual([cn.status, cn.json.error.code], [404, "model_not_found"], "cn's allow-list does not have kokoro");
  });

  it("refuses bad input with a clear error before any synthesis", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ model: "espeak-ng", input: "Hello", voice: "darth" }, 400, "unknown_voice"],
      [{ model: "espeak-ng", input: "   ", voice: "nova" }, 400, "invalid_body"],
      [{ model: "espeak-ng", input: "a".repeat(4097), voice: "nova" }, 400, "invalid_body"],
      [{ model: "espeak-ng", input: "Hello", voice: "nova", response_format: "ogg" }, 400, "invalid_body"],
      [{ model: "espeak-ng", input: "Hello", voice: "nova", speed: 9 }, 400, "invalid_body"],
      [{ model: "tts-1", input: "Hello", voice: "nova" }, 404, "model_not_found"],
    ];
    for (const [body, status, code] of cases) {
      const r = await speech("global.localhost", body);
      assert.deepEqual([r.status, r.json?.error.code], [status, code], JSON.stringify(body).slice(0, 80));
    }
    const wrongKey = await speech("127.0.0.1", { model: "wrongkey/tts-wrong", input: "Hello", voice: "x" });
    assert.equal(wrongKey.status, 404, "wrongkey is not in global's allow-list either");
    const blocked = await speech("cn.localhost", { model: "espeak-ng", input: "欢迎来到网络赌场", voice: "nova" });
    assert.deepEqual([blocked.status, blocked.json.error.code], [400, "content_policy_violation"]);
    const audit = await server.markets!.stores.get("cn")!.policyAudit.recent(5);
    assert.ok(
      audit.some((a) => a.term === "网络赌场" && a.model === "espeak-ng"),
      "the blocked term is audited",
    );
  });
});
