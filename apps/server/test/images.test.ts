import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request } from "undici";
import { startFakeAutomatic1111, startFakeComfyUI, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "./harness.ts";

// Image generation through the whole server, against loopback servers speaking OpenAI's Images API and
// Automatic1111's txt2img, with two markets: cn may use only the self-hosted Stable Diffusion, global only OpenAI.
const PNG = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
let openai: FakeServer;
let sd: FakeServer;
let comfy: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
let bare: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  openai = await startFakeOpenAI({ models: [] });
  sd = await startFakeAutomatic1111();
  comfy = await startFakeComfyUI();
  server = await startServer({
    env: { IMG_KEY: "sk-img" },
    yaml: `
markets:
  - { id: cn, region: cn, hosts: [cn.localhost], allow: ["sd/*", "comfy/*"], defaultLocale: zh, locales: [zh], displayName: { zh: 种子 }, brand: { name: { zh: 种子 }, colors: { primary: "#e5484d" } }, policy: { blocked: [{ term: 网络赌场, category: gambling }], refusal: { zh: 抱歉 } } }
  - { id: global, region: global, hosts: [global.localhost, 127.0.0.1], allow: ["openai/*"], defaultLocale: en, locales: [en], displayName: { en: Benih }, brand: { name: { en: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { en: Sorry } } }
assistant:
  images:
    - { name: openai, type: openai, baseURL: "${openai.url}/v1", apiKey: "\${IMG_KEY}", model: gpt-image-1 }
    - { name: sd, type: automatic1111, baseURL: "${sd.url}" }
    - { name: comfy, type: comfyui, baseURL: "${comfy.url}", model: sd_xl_base_1.0.safetensors }
`,
  });
  bare = await startServer({});
});
after(async () => {
  await server?.close();
  await bare?.close();
  await openai?.close();
  await sd?.close();
  await comfy?.close();
});

/** A request to a market by host name (Node's fetch would replace the Host header). */
async function call(host: string, method: "GET" | "POST", path: string, body?: unknown) {
  const res = await request(`${server.url}${path}`, {
    method,
    headers: { host: `${host}:${new URL(server.url).port}`, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const json = String(res.headers["content-type"]).includes("json") ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.statusCode, headers: res.headers, bytes, json };
}

describe("image generation", () => {
  it("POST /v1/images/generations on OpenAI's format: urls to kept images, or base64; each market only its allowed models", async () => {
    const made = await call("global.localhost", "POST", "/v1/images/generations", {
      prompt: "a komodo dragon at dawn",
      n: 2,
      size: "64x64",
    });
    assert.equal(made.status, 200, made.bytes.toString());
    assert.equal(made.json.data.length, 2);
    assert.equal(made.json.data[0].revised_prompt, "a komodo dragon at dawn (fake)");
    const url = new URL(made.json.data[0].url);
    assert.match(url.pathname, /^\/v1\/images\/img-/);
    const image = await call("global.localhost", "GET", url.pathname);
    assert.deepEqual([image.status, image.headers["content-type"], image.bytes.subarray(0, 8)], [200, "image/png", PNG]);
    assert.equal((await call("cn.localhost", "GET", url.pathname)).status, 404, "kept in the global market's store, not cn's");

    const b64 = await call("global.localhost", "POST", "/v1/images/generations", {
      prompt: "a kite",
      size: "64x64",
      response_format: "b64_json",
    });
    assert.deepEqual(Buffer.from(b64.json.data[0].b64_json, "base64").subarray(0, 8), PNG);

    // cn draws with Stable Diffusion (its only allowed model); a seed gives the same image twice.
    const a = await call("cn.localhost", "POST", "/v1/images/generations", {
      prompt: "长城",
      size: "64x64",
      seed: 7,
      response_format: "b64_json",
    });
    const b = await call("cn.localhost", "POST", "/v1/images/generations", {
      prompt: "长城",
      size: "64x64",
      seed: 7,
      response_format: "b64_json",
    });
    assert.equal(a.status, 200, a.bytes.toString());
    assert.equal(a.json.data[0].b64_json, b.json.data[0].b64_json);
    assert.equal(sd.seen.at(-1)!.body.seed, 7);
    // ComfyUI: the default workflow is queued with the configured checkpoint, then read back from its history.
    const viaComfy = await call("cn.localhost", "POST", "/v1/images/generations", {
      prompt: "稻田",
      model: "comfy/sd_xl_base_1.0.safetensors",
      n: 2,
      size: "64x64",
      seed: 5,
      response_format: "b64_json",
    });
    assert.equal(viaComfy.status, 200, viaComfy.bytes.toString());
    assert.equal(viaComfy.json.data.length, 2);
    assert.notEqual(viaComfy.json.data[0].b64_json, viaComfy.json.data[1].b64_json, "each image of a batch its own seed");
    const workflow = comfy.seen.find((r) => r.path === "/prompt")!.body.prompt;
    assert.equal(workflow["4"].inputs.ckpt_name, "sd_xl_base_1.0.safetensors");
    assert.deepEqual([workflow["3"].inputs.seed, workflow["6"].inputs.text, workflow["5"].inputs.batch_size], [5, "稻田", 2]);
    const refused = await call("cn.localhost", "POST", "/v1/images/generations", { prompt: "x", model: "openai/gpt-image-1" });
    assert.deepEqual([refused.status, refused.json.error.code], [404, "model_not_found"]);
  });

  it("says why a prompt or request is refused: the market's policy, the provider's safety system, bad sizes, nothing configured", async () => {
    const policy = await call("cn.localhost", "POST", "/v1/images/generations", { prompt: "网络赌场的海报" });
    assert.deepEqual([policy.status, policy.json.error.code], [400, "content_policy_violation"]);
    const unsafe = await call("global.localhost", "POST", "/v1/images/generations", { prompt: "something unsafe", size: "64x64" });
    assert.deepEqual([unsafe.status, unsafe.json.error.code], [400, "content_policy_violation"]);
    assert.match(unsafe.json.error.message, /^OpenAI: Your request was rejected as a result of our safety system\./);
    const odd = await call("cn.localhost", "POST", "/v1/images/generations", { prompt: "x", size: "65x64" });
    assert.deepEqual([odd.status, odd.json.error.message], [400, "Automatic1111: width must be a multiple of 8"]);
    assert.equal((await call("global.localhost", "POST", "/v1/images/generations", { prompt: "x", size: "big" })).status, 400);
    const none = await fetch(`${bare.url}/v1/images/generations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "x" }),
    });
    const err = (await none.json()) as { error: { code: string; message: string } };
    assert.deepEqual([none.status, err.error.code], [400, "images_not_configured"]);
    assert.match(err.error.message, /add assistant\.images in benih\.yaml/);
  });

  it("the image skill answers in the conversation with the drawn image", async () => {
    const conv = (await call("global.localhost", "POST", "/v1/conversations", { model: "openai/gpt-image-1" })).json;
    const asked = await call("global.localhost", "POST", `/v1/conversations/${conv.id}/messages`, {
      content: "a red kite over rice fields",
      skill: "image",
      options: { size: "64x64" },
    });
    assert.equal(asked.status, 200, asked.bytes.toString());
    assert.match(asked.bytes.toString(), /event: done\ndata: \{"id":"msg-[^"]+","status":"done"[,}]/);
    const view = (await call("global.localhost", "GET", `/v1/conversations/${conv.id}`)).json;
    const answer = view.messages.at(-1);
    assert.equal(answer.meta.skill, "image");
    assert.equal(answer.meta.images[0].model, "openai/gpt-image-1");
    const img = await call("global.localhost", "GET", answer.meta.images[0].url);
    assert.deepEqual(img.bytes.subarray(0, 8), PNG);
  });

  it("edits images: OpenAI's multipart edits, Automatic1111's img2img, a clear no from ComfyUI, and in conversations", async () => {
    const original = (
      await call("global.localhost", "POST", "/v1/images/generations", { prompt: "a kite", size: "64x64", response_format: "b64_json" })
    ).json.data[0].b64_json as string;
    const edit = async (host: string, fields: Record<string, string>, image?: string) => {
      const form = new FormData();
      if (image) form.append("image", new Blob([Buffer.from(image, "base64")], { type: "image/png" }), "kite.png");
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      const res = await request(`${server.url}/v1/images/edits`, {
        method: "POST",
        headers: { host: `${host}:${new URL(server.url).port}` },
        body: form as never,
      }); // Node's FormData; undici types its own class
      return { status: res.statusCode, json: (await res.body.json()) as any };
    };
    const edited = await edit("global.localhost", { prompt: "make it blue", size: "64x64" }, original);
    assert.equal(edited.status, 200, JSON.stringify(edited.json));
    const url = new URL(edited.json.data[0].url);
    assert.deepEqual((await call("global.localhost", "GET", url.pathname)).bytes.subarray(0, 8), PNG);
    assert.match(openai.seen.at(-1)!.headers["content-type"]!, /^multipart\/form-data; boundary=/);

    const sdEdit = await edit(
      "cn.localhost",
      { prompt: "雪景", size: "64x64", model: "sd/default", response_format: "b64_json" },
      original,
    );
    assert.equal(sdEdit.status, 200, JSON.stringify(sdEdit.json));
    assert.equal(sd.seen.at(-1)!.path, "/sdapi/v1/img2img");
    assert.equal(sd.seen.at(-1)!.body.init_images[0], original);
    const comfyEdit = await edit("cn.localhost", { prompt: "x", model: "comfy/sd_xl_base_1.0.safetensors" }, original);
    assert.deepEqual(
      [comfyEdit.status, comfyEdit.json.error.message],
      [400, "ComfyUI: editing images is not offered yet (it needs an img2img workflow); use another image model"],
    );
    assert.equal((await edit("global.localhost", { prompt: "no image" })).status, 400);

    // In a conversation: the image skill with options.edit changes a kept image.
    const conv = (await call("global.localhost", "POST", "/v1/conversations", { model: "openai/gpt-image-1" })).json;
    await call("global.localhost", "POST", `/v1/conversations/${conv.id}/messages`, {
      content: "a lantern",
      skill: "image",
      options: { size: "64x64" },
    });
    const first = (await call("global.localhost", "GET", `/v1/conversations/${conv.id}`)).json.messages.at(-1).meta.images[0].id as string;
    await call("global.localhost", "POST", `/v1/conversations/${conv.id}/messages`, {
      content: "now at night",
      skill: "image",
      options: { edit: first },
    });
    const answer = (await call("global.localhost", "GET", `/v1/conversations/${conv.id}`)).json.messages.at(-1);
    assert.equal(answer.content, "now at night (edited)");
    assert.notEqual(answer.meta.images[0].id, first);
    // An image of the user's own, attached to the message, is the one the image skill changes.
    const upload = await request(`${server.url}/v1/images/uploads`, {
      method: "POST",
      headers: { host: `global.localhost:${new URL(server.url).port}`, "content-type": "image/png" },
      body: Buffer.from(original, "base64"),
    });
    const mine = (await upload.body.json()) as { id: string };
    assert.equal(upload.statusCode, 201, JSON.stringify(mine));
    await call("global.localhost", "POST", `/v1/conversations/${conv.id}/messages`, {
      content: "in snow",
      skill: "image",
      images: [mine.id],
    });
    assert.equal(openai.seen.at(-1)!.path, "/v1/images/edits");
    assert.equal((await call("global.localhost", "GET", `/v1/conversations/${conv.id}`)).json.messages.at(-1).content, "in snow (edited)");
    assert.equal(
      (
        await call("global.localhost", "POST", `/v1/conversations/${conv.id}/messages`, {
          content: "x",
          skill: "image",
          options: { edit: "img-nope" },
        })
      ).status,
      400,
    );
  });
});
