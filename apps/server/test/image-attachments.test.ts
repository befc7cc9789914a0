import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { solidPng, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { request } from "undici";
import { startServer } from "./harness.ts";

// Images the user attaches to a message: uploaded to /v1/images/uploads (checked before anything is kept), served
// back to their owner only, deleted by them, and sent with a message within a budget. On the committed tiny model
// (no vision) the answer is a done one that says a model that sees images is needed. Each key keeps images up to a
// quota, drawn ones (here by a loopback server speaking OpenAI's Images API) counted too.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const LIMIT_MB = 0.25;
/** 314,573 bytes of data URLs: two 120,000-byte images (160,022 each in base64) do not fit, one does. */
const PER_MESSAGE_MB = 0.3;
const QUOTA = 1024 * 1024;
let server: Awaited<ReturnType<typeof startServer>>;
let openai: FakeServer;
let alice: string;
let aliceId: string;
let bob: string;
let carol: { id: string; key: string };

before(async () => {
  openai = await startFakeOpenAI({ models: [] });
  server = await startServer({
    env: { BENIH_MODELS_DIR: `${root}models` },
    yaml: [
      readFileSync(`${root}benih.yaml`, "utf8"),
      "auth: { required: true }",
      `limits: { images: { perMessageMb: ${PER_MESSAGE_MB}, perPersonMb: ${QUOTA / 1024 / 1024} } }`,
      `assistant: { uploadMaxMb: ${LIMIT_MB}, images: [{ name: openai, type: openai, baseURL: "${openai.url}/v1", apiKey: sk-img, model: gpt-image-1 }] }`,
      "",
    ].join("\n"),
  });
  ({ key: alice, id: aliceId } = await server.store.apiKeys.create("alice"));
  bob = (await server.store.apiKeys.create("bob")).key;
  carol = await server.store.apiKeys.create("carol");
});
after(async () => {
  await server?.close();
  await openai?.close();
});

const png = (width: number, height: number) => solidPng(width, height, [200, 30, 30]);
/** A 1×1 PNG of `size` bytes in all: its header is all that is read, the rest is kept as sent. */
const pngOf = (size: number) => Buffer.concat([png(1, 1), Buffer.alloc(size - png(1, 1).length)]);
/** What a key keeps in images, as the global market's store counts them. */
const usage = (keyId: string) => server.markets!.stores.get("global")!.images.usage(keyId);

async function api(key: string, method: "GET" | "POST" | "DELETE", path: string, body?: Buffer | object, type?: string) {
  const res = await request(server.url + path, {
    method,
    headers: {
      host: "localhost",
      authorization: `Bearer ${key}`,
      ...(body !== undefined && { "content-type": type ?? "application/json" }),
    },
    ...(body !== undefined && { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const json = String(res.headers["content-type"]).includes("json") ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.statusCode, headers: res.headers, bytes, json };
}
const upload = (key: string, bytes: Buffer, type: string) => api(key, "POST", "/v1/images/uploads", bytes, type);
async function uploadForm(key: string, bytes: Buffer) {
  const form = new FormData();
  form.append("image", new Blob([bytes], { type: "image/png" }), "shot.png");
  const res = await fetch(`${server.url}/v1/images/uploads`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form });
  return { status: res.status, json: (await res.json()) as any };
}

/**
 * The answer to an upload that announces `length` bytes and sends only a PNG header: a refusal can only come from
 * the announced length (the server drops what may still come for a few seconds, so that a client still writing
 * reads the answer).
 */
async function announce(key: string, length: number): Promise<string> {
  const { port } = new URL(server.url);
  const socket = connect(Number(port), "127.0.0.1");
  const answer = new Promise<string>((resolve, reject) => {
    let text = "";
    socket.on("data", (d) => {
      text += d.toString();
      if (text.includes("\r\n\r\n") && text.includes("}")) resolve(text);
    });
    socket.on("error", reject);
  });
  socket.write(
    `POST /v1/images/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\nContent-Type: image/png\r\nContent-Length: ${length}\r\n\r\n`,
  );
  socket.write(png(1, 1));
  const text = await answer;
  socket.destroy();
  return text;
}

/** The events of an answer's stream, and its text. */
function eventsOf(body: Buffer) {
  const events: Record<string, any> = {};
  let text = "";
  for (const block of body.toString().split("\n\n").filter(Boolean)) {
    const [e, d] = block.split("\n");
    const data = JSON.parse(d!.slice("data: ".length));
    if (e === "event: delta") text += data.text;
    else events[e!.slice("event: ".length)] = data;
  }
  return { events, text };
}

describe("images attached to messages", () => {
  it("keeps an uploaded image and serves it to its owner only", async () => {
    const image = png(3, 2);
    const kept = await upload(alice, image, "image/png");
    assert.equal(kept.status, 201, kept.bytes.toString());
    assert.match(kept.json.id, /^img-/);
    assert.deepEqual(kept.json, { id: kept.json.id, url: `/v1/images/${kept.json.id}`, model: "upload", size: "3x2", seed: null });
    const back = await api(alice, "GET", kept.json.url);
    assert.deepEqual([back.status, back.headers["content-type"]], [200, "image/png"]);
    assert.ok(back.bytes.equals(image), "the very bytes uploaded");
    assert.equal(back.headers["x-content-type-options"], "nosniff", "a browser never reads it as another type");
    assert.equal(back.headers["content-disposition"], `inline; filename="${kept.json.id}.png"`);
    assert.equal((await api(bob, "GET", kept.json.url)).status, 404, "another key does not see it");

    // A multipart form (as OpenAI's edits take it) works too; the type is the part's.
    const form = await uploadForm(alice, png(5, 4));
    assert.equal(form.status, 201);
    assert.equal(form.json.size, "5x4");
  });

  it("reads the size of GIF, JPEG and WebP images from their headers", async () => {
    const gif = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.from([0x40, 0x01, 0xf0, 0x00, 0, 0, 0, 0x3b])]);
    // SOI, an APP0 segment to skip, then SOF0: precision 8, height 600, width 800.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x02, 0x58, 0x03, 0x20, 1, 1, 0x11, 0, 0xff, 0xd9]);
    // RIFF/WEBP with a VP8X chunk: canvas 1023×767 stored less one.
    const webp = Buffer.concat([
      Buffer.from("RIFF\0\0\0\0WEBPVP8X", "latin1"),
      Buffer.from([10, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x03, 0, 0xfe, 0x02, 0]),
    ]);
    for (const [bytes, type, size] of [
      [gif, "image/gif", "320x240"],
      [jpeg, "image/jpeg", "800x600"],
      [webp, "image/webp", "1023x767"],
    ] as const) {
      const r = await upload(alice, bytes, type);
      assert.equal(r.status, 201, `${type}: ${r.bytes}`);
      assert.equal(r.json.size, size, type);
    }
  });

  it("refuses what is not an image of its type, or too large, with the limit, and keeps nothing", async () => {
    const before = await usage(aliceId);
    const wrongBytes = await upload(alice, Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), "image/png");
    assert.deepEqual([wrongBytes.status, wrongBytes.json.error.code], [422, "unreadable_image"]);
    const mislabelled = await upload(alice, png(2, 2), "image/jpeg");
    assert.deepEqual([mislabelled.status, mislabelled.json.error.code], [422, "unreadable_image"]);
    assert.match(mislabelled.json.error.message, /image\/png/, "it says what the bytes really are");
    const svg = await upload(alice, Buffer.from("<svg/>"), "image/svg+xml");
    assert.deepEqual([svg.status, svg.json.error.code], [415, "unsupported_image_type"]);
    assert.match(svg.json.error.message, /image\/png, image\/jpeg, image\/webp, image\/gif/);

    // A PNG header claiming 9000×9000 pixels (a decompression bomb's way in) is refused from its header.
    const huge = png(1, 1);
    huge.writeUInt32BE(9000, 16);
    huge.writeUInt32BE(9000, 20);
    const bomb = await upload(alice, huge, "image/png");
    assert.deepEqual([bomb.status, bomb.json.error.code], [413, "image_too_large"]);
    assert.match(bomb.json.error.message, /9000×9000 pixels; the limit is 8192×8192/);

    const big = await upload(alice, Buffer.concat([png(1, 1), Buffer.alloc(LIMIT_MB * 1024 * 1024)]), "image/png");
    assert.deepEqual([big.status, big.json.error.code], [413, "request_too_large"]);
    assert.match(
      big.json.error.message,
      /larger than 230\.4 KB, the largest one message can carry to a model \(limits\.images\.perMessageMb\)/,
    );
    assert.deepEqual(await usage(aliceId), before, "none of them was kept");
  });

  it("refuses a body announced larger than the limit before it is sent", { timeout: 60_000 }, async () => {
    const text = await announce(alice, 50 * 1024 * 1024);
    assert.match(text, /^HTTP\/1\.1 413/);
    assert.match(text, /"code":"request_too_large"/);
  });

  it("sends the images with a message: the tiny model cannot see them, and the answer says so", async () => {
    const kept = await upload(alice, png(4, 4), "image/png");
    const c = await api(alice, "POST", "/v1/conversations", {});
    const foreign = await upload(bob, png(4, 4), "image/png");
    const refused = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, {
      content: "What is in this picture?",
      images: [foreign.json.id],
    });
    assert.deepEqual([refused.status, refused.json.error.code, refused.json.error.param], [400, "invalid_image", "images"]);
    const unknown = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, { content: "and this?", images: ["img-nope"] });
    assert.equal(unknown.status, 400);
    const untouched = await api(alice, "GET", `/v1/conversations/${c.json.id}`);
    assert.deepEqual([untouched.json.messages.length, untouched.json.conversation.title], [0, ""], "no message was kept");

    const res = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, {
      content: "What is in this picture?",
      images: [kept.json.id],
    });
    assert.equal(res.status, 200, res.bytes.toString());
    const { events, text } = eventsOf(res.bytes);
    assert.deepEqual(events.user.meta.images, [kept.json], "the question keeps its image");
    assert.equal(events.done.status, "done", JSON.stringify(events.done));
    assert.deepEqual(events.done.meta.notice, { code: "needs_larger_model", skill: "vision" });
    assert.match(text, /cannot see images/);
    const saved = await api(alice, "GET", `/v1/conversations/${c.json.id}`);
    const [question, answer] = saved.json.messages;
    assert.deepEqual(question.meta.images, [kept.json]);
    assert.deepEqual([answer.status, answer.meta.notice.skill], ["done", "vision"]);
  });

  it("refuses at upload an image no message could carry to a model, and tells the browser that limit", async () => {
    // 0.3 MB a message, as base64: an image of 235,881 bytes fits, one of 240,000 does not (although under 0.25 MB).
    const settings = await api(alice, "GET", "/v1/settings");
    assert.deepEqual(settings.json.uploads.imageMaxMb, 0.2, "rounded down, so a file under it is never refused");
    assert.equal((await upload(alice, pngOf(235_881), "image/png")).status, 201);
    const refused = await upload(alice, pngOf(240_000), "image/png");
    assert.deepEqual([refused.status, refused.json.error.code], [413, "request_too_large"]);
  });

  it("refuses a message whose images would not fit one request to the model, keeping no message", async () => {
    const [a, b] = [await upload(alice, pngOf(120_000), "image/png"), await upload(alice, pngOf(120_000), "image/png")];
    assert.deepEqual([a.status, b.status], [201, 201], "each upload is within its own limit");
    const c = await api(alice, "POST", "/v1/conversations", {});
    const count = async () => (await api(alice, "GET", `/v1/conversations/${c.json.id}`)).json.messages.length;
    const before = await count();
    const refused = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, {
      content: "Compare these two pictures",
      images: [a.json.id, b.json.id],
    });
    assert.deepEqual([refused.status, refused.json.error.code, refused.json.error.param], [413, "images_too_large", "images"]);
    assert.match(refused.json.error.message, /312\.5 KB as the model reads them \(base64\), over the 307\.2 KB one message may carry/);
    assert.match(refused.json.error.message, /limits\.images\.perMessageMb/);
    assert.equal(await count(), before, "no message was kept");
    // The same image twice is sent twice: it counts twice.
    const twice = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, { content: "again", images: [a.json.id, a.json.id] });
    assert.deepEqual([twice.status, twice.json.error.code], [413, "images_too_large"]);
    assert.equal(await count(), before);

    const one = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, { content: "And this one?", images: [a.json.id] });
    assert.equal(one.status, 200, one.bytes.toString());
    assert.equal(eventsOf(one.bytes).events.done.status, "done");
    assert.equal(await count(), before + 2, "one of them alone fits: the question and its answer");
  });

  it("keeps a key's images up to its quota, refusing more before they are kept; the owner deletes them", { timeout: 60_000 }, async () => {
    const kept: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await upload(carol.key, pngOf(200_000), "image/png");
      assert.equal(r.status, 201, r.bytes.toString());
      kept.push(r.json.id);
    }
    assert.deepEqual(await usage(carol.id), { images: 5, bytes: 1_000_000 });

    // Refused from the announced length, before the body is read...
    const raw = await upload(carol.key, pngOf(100_000), "image/png");
    assert.deepEqual([raw.status, raw.json.error.code], [413, "image_quota_exceeded"]);
    assert.match(
      raw.json.error.message,
      /This image \(97\.7 KB\) does not fit: your images take 976\.6 KB of the 1 MB one key may keep \(limits\.images\.perPersonMb\)/,
    );
    assert.match(await announce(carol.key, 100_000), /^HTTP\/1\.1 413[\s\S]*"code":"image_quota_exceeded"/);
    // ... and, sent as a form (whose length is not the image's), once read, before it is kept.
    const form = await uploadForm(carol.key, pngOf(100_000));
    assert.deepEqual([form.status, form.json.error.code], [413, "image_quota_exceeded"]);
    assert.deepEqual(await usage(carol.id), { images: 5, bytes: 1_000_000 }, "nothing of the refused ones was kept");

    // Only the owner deletes an image; then it is gone, and its room is free again.
    const [first] = kept;
    assert.equal((await api(alice, "DELETE", `/v1/images/${first}`)).status, 404, "another key cannot");
    assert.equal((await api(carol.key, "GET", `/v1/images/${first}`)).status, 200, "still there");
    const deleted = await api(carol.key, "DELETE", `/v1/images/${first}`);
    assert.deepEqual([deleted.status, deleted.bytes.length], [204, 0]);
    assert.equal((await api(carol.key, "GET", `/v1/images/${first}`)).status, 404);
    assert.equal((await api(carol.key, "DELETE", `/v1/images/${first}`)).status, 404, "once");
    assert.deepEqual(await usage(carol.id), { images: 4, bytes: 800_000 });
    assert.equal((await upload(carol.key, pngOf(100_000), "image/png")).status, 201);
    assert.equal((await upload(carol.key, pngOf(QUOTA - 900_000), "image/png")).status, 201, "exactly at the quota is within it");

    // Drawn images count too: a key at its quota is refused before anything is drawn.
    const drawsBefore = openai.seen.length;
    const draw = await api(carol.key, "POST", "/v1/images/generations", { prompt: "a komodo dragon", size: "64x64" });
    assert.deepEqual([draw.status, draw.json.error.code], [413, "image_quota_exceeded"]);
    assert.match(draw.json.error.message, /Your images take 1 MB of the 1 MB one key may keep/);
    assert.equal(openai.seen.length, drawsBefore, "the image model was not called");
  });

  it("counts drawn images in their owner's quota and serves them as images", async () => {
    const dave = await server.store.apiKeys.create("dave");
    const drawn = await api(dave.key, "POST", "/v1/images/generations", { prompt: "a komodo dragon", size: "64x64" });
    assert.equal(drawn.status, 200, drawn.bytes.toString());
    const url = new URL(drawn.json.data[0].url);
    const back = await api(dave.key, "GET", url.pathname);
    assert.deepEqual([back.status, back.headers["content-type"], back.headers["x-content-type-options"]], [200, "image/png", "nosniff"]);
    assert.deepEqual(await usage(dave.id), { images: 1, bytes: back.bytes.length });
  });
});
