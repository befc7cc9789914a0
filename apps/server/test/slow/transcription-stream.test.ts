import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import OpenAI, { APIError, toFile } from "openai";
import { request } from "undici";
import { startServer } from "../harness.ts";
import { formOf } from "../multipart.ts";

// stream=true transcriptions, through a loopback server speaking OpenAI's streamed transcription: server-sent
// events `transcript.text.delta` then `transcript.text.done`, passed on as they come and held to the market's policy.
const tools = (() => {
  try {
    execFileSync("espeak-ng", ["--version"], { stdio: "ignore" });
    execFileSync("ffprobe", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!tools && process.env.BENIH_REQUIRE_ESPEAK) throw new Error("BENIH_REQUIRE_ESPEAK is set but espeak-ng or ffprobe is missing");

const recording = () => execFileSync("espeak-ng", ["-v", "en-us", "--stdout", "Hello there"]);
const REFUSAL = "Sorry, not here.";

/**
 * OpenAI's transcription API as documented: with stream=true, the transcript (the form's prompt, so tests choose
 * it) comes a word per `transcript.text.delta` event, 40 ms apart, then `transcript.text.done` with usage; whisper-1
 * refuses to stream, as OpenAI's does.
 */
const seen: Array<{ model: string; stream?: string; aborted: boolean }> = [];
const upstream: Server = createServer(async (req, res) => {
  const form = await formOf(req);
  const entry = { model: String(form.get("model")), ...(form.has("stream") && { stream: String(form.get("stream")) }), aborted: false };
  seen.push(entry);
  res.on("close", () => (entry.aborted = !res.writableFinished));
  const text = String(form.get("prompt") ?? "hello");
  if (entry.stream !== "true") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text }));
  if (entry.model === "whisper-1")
    return res
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { message: "Streaming is not supported for whisper-1.", type: "invalid_request_error" } }));
  res.writeHead(200, { "content-type": "text/event-stream" });
  const words = text.split(/(?<= )/);
  for (const delta of words) {
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify({ type: "transcript.text.delta", delta })}\n\n`);
    await new Promise((r) => setTimeout(r, 40));
  }
  res.end(
    `data: ${JSON.stringify({ type: "transcript.text.done", text, usage: { type: "tokens", input_tokens: 12, output_tokens: words.length, total_tokens: 12 + words.length } })}\n\n`,
  );
});

let server: Awaited<ReturnType<typeof startServer>>;
let client: OpenAI;

before(async () => {
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
  server = await startServer({
    yaml: `
markets:
  - { id: global, region: global, hosts: [127.0.0.1, localhost], allow: ["asr/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [{ term: online casino, category: gambling }], refusal: { en: "${REFUSAL}" } } }
assistant:
  transcription:
    - { name: asr, type: openai, baseURL: "${url}", apiKey: sk-asr, model: gpt-4o-transcribe }
    - { name: asr, type: openai, baseURL: "${url}", apiKey: sk-asr, model: whisper-1 }
`,
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: (await server.store.apiKeys.create("sdk", "user", "global")).key });
});
after(async () => {
  await server?.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

/** Consumes a stream with the openai SDK: each event and when it came (ms since the first), or the error that ended it. */
async function consume(prompt: string, model = "gpt-4o-transcribe") {
  const events: Array<{ type: string; delta?: string; text?: string; at: number }> = [];
  let t0: number | undefined;
  try {
    const stream = await client.audio.transcriptions.create({
      file: await toFile(recording(), "hello.wav", { type: "audio/wav" }),
      model,
      prompt,
      stream: true,
    });
    for await (const e of stream) {
      t0 ??= performance.now();
      events.push({ ...(e as { type: string; delta?: string; text?: string }), at: performance.now() - t0 });
    }
  } catch (err) {
    return { events, error: err as APIError };
  }
  return { events, error: undefined };
}

describe("streamed transcription", { skip: !tools && "espeak-ng and ffprobe are needed to make and check recordings" }, () => {
  it("passes OpenAI's transcript events on as they come, to the openai SDK", async () => {
    const text = "The quick brown fox jumps over the lazy dog";
    const { events, error } = await consume(text);
    assert.equal(error, undefined);
    const deltas = events.filter((e) => e.type === "transcript.text.delta");
    assert.ok(deltas.length >= 5, `${deltas.length} delta events`);
    assert.equal(deltas.map((e) => e.delta).join(""), text);
    assert.deepEqual(
      events.slice(-1).map((e) => [e.type, e.text]),
      [["transcript.text.done", text]],
    );
    assert.ok(events.at(-1)!.at >= 200, `the words came over ${Math.round(events.at(-1)!.at)} ms, not all at once at the end`);
    assert.deepEqual({ model: seen.at(-1)!.model, stream: seen.at(-1)!.stream }, { model: "gpt-4o-transcribe", stream: "true" });
  });

  it("ends with the market's refusal when a blocked term is heard mid-stream, the term never sent, audited", async () => {
    const { events, error } = await consume("Tonight I will visit an online casino with friends");
    assert.ok(error instanceof APIError, "the stream ends with an error event");
    assert.equal(error.code, "content_policy_violation");
    assert.match(error.message, new RegExp(REFUSAL));
    const sent = events.map((e) => e.delta ?? "").join("");
    // The words before the term go out once they are clear of it (chat streams hold back as much as a term's length).
    assert.ok(sent.length >= 10 && "Tonight I will visit an ".startsWith(sent), `what came before the term was passed on: ${sent}`);
    assert.doesNotMatch(sent, /casino/);
    assert.ok(!events.some((e) => e.type === "transcript.text.done"));
    const audit = await server.markets!.stores.get("global")!.policyAudit.recent(5);
    assert.ok(audit.some((a) => a.term === "online casino" && a.direction === "output" && a.model === "asr/gpt-4o-transcribe"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.at(-1)!.aborted, true, "the provider's stream was cut off, not read to its end");
  });

  it("refuses stream=true with 400 naming a model that does not stream, before the provider hears it", async () => {
    const before = seen.length;
    const refused = await consume("hi", "whisper-1");
    assert.ok(refused.error instanceof APIError);
    assert.deepEqual([refused.error.status, refused.error.code], [400, "stream_not_supported"]);
    assert.match(refused.error.message, /asr\/whisper-1 does not stream/);

    const form = new FormData();
    form.set("file", new Blob([new Uint8Array(recording())], { type: "audio/wav" }), "hello.wav");
    form.set("model", "gpt-4o-transcribe");
    form.set("stream", "true");
    const encoded = new Response(form);
    const translation = await request(`${server.url}/v1/audio/translations`, {
      method: "POST",
      headers: { "content-type": encoded.headers.get("content-type")! },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    const body = (await translation.body.json()) as { error: { code: string; param: string } };
    assert.deepEqual([translation.statusCode, body.error.param], [400, "stream"]);
    assert.equal(seen.length, before, "neither reached the provider");
  });
});
