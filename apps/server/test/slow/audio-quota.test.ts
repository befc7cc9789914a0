import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { redisForTest } from "@benih/store/testing";
import { Redis } from "ioredis";
import { request } from "undici";
import { startServer } from "../harness.ts";
import { formOf } from "../multipart.ts";

// audioSecondsPerDay: speech and transcription count seconds of audio, held before the work and settled on what was
// heard or spoken, against a loopback server speaking OpenAI's /audio/speech and /audio/transcriptions.
const tools = (() => {
  try {
    execFileSync("espeak-ng", ["--version"], { stdio: "ignore" });
    for (const bin of ["ffprobe", "ffmpeg"]) execFileSync(bin, ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!tools && process.env.BENIH_REQUIRE_ESPEAK) throw new Error("BENIH_REQUIRE_ESPEAK is set but espeak-ng, ffprobe or ffmpeg is missing");

const LIMIT = 20;
const SENTENCE = "Hello there, this is a test of the recording.";

/** A recording of `text`, made with espeak-ng. */
const spoken = (text: string) => execFileSync("espeak-ng", ["-v", "en-us", "--stdout", text]);

/** A WAV's seconds from its header's byte rate and its length (espeak-ng writes a 44-byte header). */
function wavSeconds(wav: Buffer): number {
  assert.equal(wav.subarray(0, 4).toString(), "RIFF");
  return (wav.length - 44) / wav.readUInt32LE(28);
}

/**
 * OpenAI's audio API: key sk-a; speech is 3 s of PCM (24 kHz, 16-bit, mono), model `slow` sending its first 0.1 s
 * and the rest a second later; the transcript is the form's prompt.
 */
const seen: string[] = [];
const upstream: Server = createServer(async (req, res) => {
  seen.push(req.url ?? "");
  if (req.headers.authorization !== "Bearer sk-a") {
    req.resume();
    return res
      .writeHead(401, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { message: "Incorrect API key provided.", code: "invalid_api_key" } }));
  }
  if (req.url === "/v1/audio/speech") {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    res.writeHead(200, { "content-type": "audio/pcm" });
    if ((JSON.parse(raw) as { model: string }).model !== "slow") return res.end(Buffer.alloc(3 * 48_000));
    res.write(Buffer.alloc(4_800));
    setTimeout(() => res.end(Buffer.alloc(3 * 48_000 - 4_800)), 1_000);
    return;
  }
  const form = await formOf(req);
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text: String(form.get("prompt") ?? "hello") }));
});

const yaml = (url: string) => `
auth: { required: true }
quota: { audioSecondsPerDay: ${LIMIT} }
training: { localAgent: false }
markets:
  - { id: global, region: global, hosts: [localhost, 127.0.0.1], allow: ["voice/*", "badvoice/*", "asr/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { refusal: { en: "No." } } }
assistant:
  speech:
    - { name: voice, type: openai-compatible, baseURL: "${url}", apiKey: sk-a, model: tts }
    - { name: badvoice, type: openai-compatible, baseURL: "${url}", apiKey: sk-wrong, model: tts }
    - { name: voice, type: openai-compatible, baseURL: "${url}", apiKey: sk-a, model: slow }
  transcription:
    - { name: asr, type: openai-compatible, baseURL: "${url}", apiKey: sk-a, model: gpt-4o-transcribe }
    - { name: asr, type: openai-compatible, baseURL: "${url}", apiKey: sk-wrong, model: whisper-wrong-key }
`;

let url: string;
before(async () => {
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
});
after(async () => new Promise<void>((r) => upstream.close(() => r())));

type Server_ = Awaited<ReturnType<typeof startServer>>;

async function speech(server: Server_, key: string, body: object) {
  const res = await request(`${server.url}/v1/audio/speech`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ voice: "alloy", ...body }),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, bytes, header: (n: string) => res.headers[n] as string | undefined };
}

async function transcribe(server: Server_, key: string, file: Buffer, type = "audio/wav", model = "asr/gpt-4o-transcribe") {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(file)], { type }), "speech");
  form.set("model", model);
  form.set("prompt", "heard");
  const encoded = new Response(form);
  const res = await request(`${server.url}/v1/audio/transcriptions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": encoded.headers.get("content-type")! },
    body: Buffer.from(await encoded.arrayBuffer()),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text), header: (n: string) => res.headers[n] as string | undefined };
}

const remaining = (r: { header: (n: string) => string | undefined }) => Number(r.header("x-ratelimit-remaining-audio-seconds"));

/**
 * Speaks with espeak-ng until refused: each answer's rate-limit headers show the seconds counted so far (each
 * earlier answer's exact length, rounded up) and this one's estimate held. Returns the seconds spoken in all.
 */
async function speakUntilRefused(server: Server_, key: string): Promise<number> {
  let spokenSeconds = 0;
  let counted = 0;
  for (let i = 0; i < 20; i++) {
    const r = await speech(server, key, { model: "espeak-ng", input: SENTENCE, response_format: "wav" });
    if (r.status === 429) {
      const body = JSON.parse(r.bytes.toString()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, "insufficient_quota");
      assert.match(body.error.message, new RegExp(`You have used ${counted} of the ${LIMIT} seconds of audio this key may use today`));
      assert.ok(counted + estimateOf(SENTENCE) > LIMIT, "refused only once the next speech could pass the limit");
      assert.ok(Number(r.header("retry-after")) > 0, "a retry-after until the UTC day ends");
      assert.equal(r.header("x-ratelimit-limit-audio-seconds"), String(LIMIT));
      assert.ok(i >= 2, `served ${i} before the budget ran out`);
      return spokenSeconds;
    }
    assert.equal(r.status, 200);
    assert.equal(r.header("x-ratelimit-limit-audio-seconds"), String(LIMIT));
    assert.equal(remaining(r), LIMIT - counted - estimateOf(SENTENCE), "earlier speech counted by its real length");
    const seconds = wavSeconds(r.bytes);
    assert.ok(seconds > 1 && seconds <= estimateOf(SENTENCE), `${seconds} s within the ${estimateOf(SENTENCE)} s held`);
    spokenSeconds += seconds;
    counted += Math.ceil(seconds);
  }
  assert.fail("never refused");
}

describe("audio seconds per day", { skip: !tools && "espeak-ng, ffprobe and ffmpeg are needed to make and measure audio" }, () => {
  it("speaks until the day's seconds run out, counting each answer's exact length, then refuses with 429", async () => {
    const server = await startServer({ yaml: yaml(url) });
    try {
      const key = (await server.store.apiKeys.create("speaker", "user", "global")).key;
      const total = await speakUntilRefused(server, key);
      assert.ok(total <= LIMIT, `spoke ${total} s of ${LIMIT}`);
    } finally {
      await server.close();
    }
  });

  it("counts a provider's PCM by its bytes, and gives back what a failed provider held", async () => {
    const server = await startServer({ yaml: yaml(url) });
    try {
      const key = (await server.store.apiKeys.create("provider", "user", "global")).key;
      const failed = await speech(server, key, { model: "badvoice/tts", input: SENTENCE, response_format: "pcm" });
      assert.equal(failed.status, 502);
      const first = await speech(server, key, { model: "voice/tts", input: SENTENCE, response_format: "pcm" });
      assert.equal(first.status, 200);
      assert.equal(first.bytes.length, 3 * 48_000);
      assert.equal(remaining(first), LIMIT - estimateOf(SENTENCE), "the text's estimate held; nothing kept from the failed call");
      const second = await speech(server, key, { model: "voice/tts", input: "Hi.", response_format: "pcm" });
      assert.equal(second.status, 200);
      assert.equal(remaining(second), LIMIT - 3 - estimateOf("Hi."), "the first settled on its 3 s of PCM");

      // A listener who hangs up after the first chunk is charged the estimate: the provider made (and bills) it all.
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${server.url}/v1/audio/speech`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        });
        req.on("response", (res) => res.once("data", () => (req.destroy(), resolve())));
        req.on("error", (err) => (err as NodeJS.ErrnoException).code === "ECONNRESET" || reject(err));
        req.end(JSON.stringify({ model: "voice/slow", input: "Hi.", voice: "alloy", response_format: "pcm" }));
      });
      await new Promise((r) => setTimeout(r, 300));
      const after = await speech(server, key, { model: "voice/tts", input: "Hi.", response_format: "pcm" });
      assert.equal(
        remaining(after),
        LIMIT - 3 - 3 - estimateOf("Hi.") - estimateOf("Hi."),
        "the cut reply kept its estimate, not the 0.1 s that came",
      );
      console.log("T3", Date.now());
    } finally {
      await server.close();
    }
  });

  it("refuses a recording longer than the seconds left before the provider hears it; a WebM without a duration is measured", async () => {
    const server = await startServer({ yaml: yaml(url) });
    try {
      const key = (await server.store.apiKeys.create("listener", "user", "global")).key;
      const short = spoken(SENTENCE);
      const failed = await transcribe(server, key, short, "audio/wav", "asr/whisper-wrong-key");
      assert.deepEqual([failed.status, failed.json.error.code], [502, "upstream_auth"]);
      const ok = await transcribe(server, key, short);
      assert.deepEqual([ok.status, ok.json.text], [200, "heard"]);
      assert.equal(remaining(ok), LIMIT - Math.ceil(wavSeconds(short)), "the failed provider's seconds were given back");

      // A browser's WebM: written as it records, so its container gives no duration; decoding it measures it.
      const webm = execFileSync("ffmpeg", ["-v", "error", "-f", "wav", "-i", "pipe:0", "-c:a", "libopus", "-f", "webm", "pipe:1"], {
        input: short,
      });
      assert.equal(
        execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", "pipe:0"], { input: webm })
          .toString()
          .trim(),
        "N/A",
      );
      const browser = await transcribe(server, key, webm, "audio/webm");
      assert.equal(browser.status, 200);
      const left = remaining(browser);
      assert.ok(remaining(ok) - left >= Math.ceil(wavSeconds(short)) && remaining(ok) - left <= Math.ceil(wavSeconds(short)) + 1);

      const long = spoken(`${SENTENCE} `.repeat(8));
      assert.ok(wavSeconds(long) > left, "the recording is longer than what is left");
      const heard = seen.length;
      const refused = await transcribe(server, key, long);
      assert.deepEqual([refused.status, refused.json.error.code], [429, "insufficient_quota"]);
      assert.match(refused.json.error.message, /seconds of audio/);
      assert.equal(seen.length, heard, "the provider never heard it");
    } finally {
      await server.close();
    }
  });

  it("shares the count through Redis when REDIS_URL is set", async (t) => {
    const redisUrl = "redis://127.0.0.1:6379/12";
    const noRedis = await redisForTest(redisUrl);
    if (noRedis) return t.skip(noRedis);
    const server = await startServer({ yaml: yaml(url), env: { REDIS_URL: redisUrl } });
    const admin = new Redis(redisUrl);
    try {
      const key = (await server.store.apiKeys.create("shared", "user", "global")).key;
      const total = await speakUntilRefused(server, key);
      const counters = await admin.keys("*:a");
      assert.equal(counters.length, 1, "one audio-seconds counter for the key's day");
      const counted = Number(await admin.get(counters[0]!));
      assert.ok(counted >= total && counted <= LIMIT, `Redis holds ${counted} s for ${total} s spoken`);
    } finally {
      admin.disconnect();
      await server.close();
    }
  });
});

/** What the server reserves for `text` at speed 1 (its estimate: ten Latin characters a second, plus one). */
const estimateOf = (text: string) => Math.ceil(text.length / 10 + 1);
