import { seedColour, solidPng } from "./png.ts";
import { json, startFake, type FakeServer } from "./server.ts";

/**
 * A loopback Automatic1111 (stable-diffusion-webui) API: `POST /sdapi/v1/txt2img` with prompt, width, height,
 * batch_size and seed answers { images: [base64 PNG], parameters, info } as the webui does, info being a JSON
 * string with the seed used; `POST /sdapi/v1/img2img` the same from init_images. A width that is not a multiple of
 * 8 gets the webui's 422 validation error.
 */
export async function startFakeAutomatic1111(): Promise<FakeServer> {
  return startFake(async (req, res, body) => {
    const img2img = req.url === "/sdapi/v1/img2img";
    if (req.method !== "POST" || (req.url !== "/sdapi/v1/txt2img" && !img2img)) return json(res, 404, { detail: "Not Found" });
    if (img2img && !(Array.isArray(body?.init_images) && body.init_images.length))
      return json(res, 422, { detail: [{ loc: ["body", "init_images"], msg: "field required", type: "value_error.missing" }] });
    const width = Number(body?.width ?? 512);
    const height = Number(body?.height ?? 512);
    if (width % 8 || height % 8)
      return json(res, 422, { detail: [{ loc: ["body", "width"], msg: "width must be a multiple of 8", type: "value_error" }] });
    const seed = Number(body?.seed ?? -1) >= 0 ? Number(body.seed) : Math.floor(Math.random() * 1e6);
    const n = Number(body?.batch_size ?? 1);
    const images = Array.from({ length: n }, (_, i) =>
      solidPng(Math.min(width, 64), Math.min(height, 64), seedColour(seed + i)).toString("base64"),
    );
    return json(res, 200, {
      images,
      parameters: body,
      info: JSON.stringify({ prompt: body?.prompt, seed, all_seeds: images.map((_, i) => seed + i), width, height }),
    });
  });
}
