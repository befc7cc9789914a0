import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import OpenAI, { toFile } from "openai";
import { request } from "undici";
import { startServer } from "../harness.ts";
import { formOf } from "../multipart.ts";

// Speech recognition on OpenAI's wire format, through a loopback server speaking OpenAI's /audio/transcriptions:
// the recording is checked before any provider is paid, and the transcript is held to the market's policy.
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

/** OpenAI's transcription API as documented: key sk-asr; the transcript is the form's `prompt` (so tests choose it). */
const seen: Array<{ path: string; fields: Record<string, string>; file?: Buffer }> = [];
const upstream: Server = createServer(async (req, res) => {
  const form = await formOf(req);
  const fields: Record<string, string> = {};
  let file: Buffer | undefined;
  for (const [k, v] of form) {
    if (typeof v === "string") fields[k] = v;
    else file = Buffer.from(await v.arrayBuffer());
  }
  seen.push({ path: req.url ?? "", fields, ...(file && { file }) });
  if (req.headers.authorization !== "Bearer sk-asr")
    return res
      .writeHead(401, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { message: "Incorrect API key provided.", code: "invalid_api_key" } }));
  const text = fields.prompt ?? "hello";
  if (fields.response_format === "text") return res.writeHead(200, { "content-type": "text/plain" }).end(`${text}\n`);
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text }));
});
let server: Awaited<ReturnType<typeof startServer>>;
let bare: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
  server = await startServer({
    yaml: `
markets:
  - { id: cn, region: cn, hosts: [cn.localhost], allow: ["asr/*"], defaultLocale: zh, locales: [zh], displayName: { zh: 种子 }, brand: { name: { zh: 种子 }, colors: { primary: "#e5484d" } }, policy: { blocked: [{ term: 网络赌场, category: gambling }], refusal: { zh: 抱歉，这个话题我不能帮忙。 } } }
  - { id: global, region: global, hosts: [global.localhost, 127.0.0.1], allow: ["asr/*", "badkey/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { en: Sorry } } }
limits: { audio: { maxMinutes: 0.1 } }
assistant:
  uploadMaxMb: 1
  transcription:
    - { name: asr, type: openai-compatible, baseURL: "${url}", apiKey: sk-asr, model: whisper-1 }
    - { name: badkey, type: openai-compatible, baseURL: "${url}", apiKey: sk-wrong, model: whisper-bad }
`,
  });
  bare = await startServer({});
});
after(async () => {
  await server?.close();
  await bare?.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

async function transcribe(base: string, host: string, file: Buffer | undefined, fields: Record<string, string>, task = "transcriptions") {
  const form = new FormData();
  if (file) form.set("file", new Blob([new Uint8Array(file)], { type: "audio/wav" }), "speech.wav");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const encoded = new Response(form);
  const res = await request(`${base}/v1/audio/${task}`, {
    method: "POST",
    headers: { host: `${host}:${new URL(base).port}`, "content-type": encoded.headers.get("content-type")! },
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

describe("speech recognition", { skip: !tools && "espeak-ng and ffprobe are needed to make and check recordings" }, () => {
  it("says what to configure when no model is", async () => {
    const r = await transcribe(bare.url, "127.0.0.1", spoken("hello"), { model: "whisper-1" });
    assert.deepEqual([r.status, r.json.error.code], [400, "transcription_not_configured"]);
    assert.match(r.json.error.message, /assistant\.transcription/);
  });

  it("answers the openai SDK's audio.transcriptions.create, the provider getting the recording as sent", async () => {
    const recording = spoken("What is the capital of Indonesia?");
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk", "user", "global")).key });
    const out = await client.audio.transcriptions.create({
      file: await toFile(recording, "question.wav", { type: "audio/wav" }),
      model: "whisper-1",
      prompt: "What is the capital of Indonesia?",
    });
    assert.equal(out.text, "What is the capital of Indonesia?");
    const got = seen.at(-1)!;
    assert.equal(got.path, "/v1/audio/transcriptions");
    assert.equal(got.fields.model, "whisper-1");
    assert.ok(got.file?.equals(recording), "the recording reached the provider byte for byte");

    const text = await transcribe(
      server.url,
      "global.localhost",
      recording,
      { model: "whisper-1", response_format: "text", prompt: "hi there" },
      "translations",
    );
    assert.deepEqual([text.status, text.text], [200, "hi there\n"]);
    assert.equal(seen.at(-1)!.path, "/v1/audio/translations");
  });

  it("refuses bad recordings before the provider sees them, and turns the provider's errors into clear ones", async () => {
    const before = seen.length;
    const cases: Array<[Buffer | undefined, Record<string, string>, number, string]> = [
      [Buffer.alloc(0), { model: "whisper-1" }, 400, "invalid_audio"],
      [Buffer.from("this is a text file, not a recording\n".repeat(20)), { model: "whisper-1" }, 400, "invalid_audio"],
      [
        spoken("This recording goes on for longer than the six seconds this server takes. ".repeat(2)),
        { model: "whisper-1" },
        413,
        "audio_too_long",
      ],
      // A two-hour recording is tens of megabytes: over assistant.uploadMaxMb (1 MB here), refused as it arrives.
      [Buffer.alloc(2 * 1024 * 1024, 1), { model: "whisper-1" }, 413, "file_too_large"],
      [undefined, { model: "whisper-1" }, 400, "invalid_body"],
      [spoken("hi"), { model: "whisper-1", response_format: "mp3" }, 400, "invalid_body"],
      [spoken("hi"), { model: "gpt-9" }, 404, "model_not_found"],
      [spoken("hi"), { model: "whisper-1", response_format: "text", stream: "true" }, 400, "stream_not_supported"],
    ];
    for (const [file, fields, status, code] of cases) {
      const r = await transcribe(server.url, "global.localhost", file, fields);
      assert.deepEqual([r.status, r.json?.error?.code], [status, code], `${code}: ${r.text.slice(0, 200)}`);
    }
    assert.equal(seen.length, before, "none reached the provider");
    const badKey = await transcribe(server.url, "global.localhost", spoken("hi"), { model: "badkey/whisper-bad" });
    assert.deepEqual([badKey.status, badKey.json.error.code], [502, "upstream_auth"]);
  });

  it("answers a blocked term spoken with the market's refusal, audited", async () => {
    const r = await transcribe(server.url, "cn.localhost", spoken("hello"), { model: "whisper-1", prompt: "我想去网络赌场" });
    assert.deepEqual([r.status, r.json.error.code, r.json.error.message], [400, "content_policy_violation", "抱歉，这个话题我不能帮忙。"]);
    const audit = await server.markets!.stores.get("cn")!.policyAudit.recent(5);
    assert.ok(audit.some((a) => a.term === "网络赌场" && a.direction === "output" && a.model === "asr/whisper-1"));
  });
});
