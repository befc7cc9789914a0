import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { solidPng } from "@benih/fake-upstreams";
import { request } from "undici";
import { startServer } from "./harness.ts";

// Images the user attaches to a message: uploaded to /v1/images/uploads (checked before anything is kept), served
// back to their owner only, and sent with a message. On the committed tiny model (no vision) the answer is a done
// one that says a model that sees images is needed.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const LIMIT_MB = 0.25;
let server: Awaited<ReturnType<typeof startServer>>;
let alice: string;
let bob: string;

before(async () => {
  server = await startServer({
    env: { BENIH_MODELS_DIR: `${root}models` },
    yaml: `${readFileSync(`${root}benih.yaml`, "utf8")}\nauth: { required: true }\nassistant: { uploadMaxMb: ${LIMIT_MB} }\n`,
  });
  alice = (await server.store.apiKeys.create("alice")).key;
  bob = (await server.store.apiKeys.create("bob")).key;
});
after(async () => server?.close());

const png = (width: number, height: number) => solidPng(width, height, [200, 30, 30]);

async function api(key: string, method: "GET" | "POST", path: string, body?: Buffer | object, type?: string) {
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
    assert.equal((await api(bob, "GET", kept.json.url)).status, 404, "another key does not see it");

    // A multipart form (as OpenAI's edits take it) works too; the type is the part's.
    const form = new FormData();
    form.append("image", new Blob([png(5, 4)], { type: "image/png" }), "shot.png");
    const res = await fetch(`${server.url}/v1/images/uploads`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}` },
      body: form,
    });
    assert.equal(res.status, 201);
    assert.equal(((await res.json()) as { size: string }).size, "5x4");
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
    assert.match(big.json.error.message, /larger than 256 KB, the upload limit/);
  });

  it("refuses a body announced larger than the limit before it is sent", { timeout: 60_000 }, async () => {
    // 50 MB announced and a few bytes sent, nothing more: the refusal can only come from the announced length (the
    // server drops what may still come for a few seconds, so that a client still writing reads the answer).
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
      `POST /v1/images/uploads HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${alice}\r\nContent-Type: image/png\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    socket.write(png(1, 1));
    const text = await answer;
    socket.destroy();
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
    assert.deepEqual([untouched.json.messages, untouched.json.conversation.title], [[], ""], "nothing was kept");

    const res = await api(alice, "POST", `/v1/conversations/${c.json.id}/messages`, {
      content: "What is in this picture?",
      images: [kept.json.id],
    });
    assert.equal(res.status, 200, res.bytes.toString());
    const events: Record<string, any> = {};
    let text = "";
    for (const block of res.bytes.toString().split("\n\n").filter(Boolean)) {
      const [e, d] = block.split("\n");
      const data = JSON.parse(d!.slice("data: ".length));
      if (e === "event: delta") text += data.text;
      else events[e!.slice("event: ".length)] = data;
    }
    assert.deepEqual(events.user.meta.images, [kept.json], "the question keeps its image");
    assert.equal(events.done.status, "done", JSON.stringify(events.done));
    assert.deepEqual(events.done.meta.notice, { code: "needs_larger_model", skill: "vision" });
    assert.match(text, /cannot see images/);
    const saved = await api(alice, "GET", `/v1/conversations/${c.json.id}`);
    const [question, answer] = saved.json.messages;
    assert.deepEqual(question.meta.images, [kept.json]);
    assert.deepEqual([answer.status, answer.meta.notice.skill], ["done", "vision"]);
  });
});
