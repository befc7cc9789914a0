import { type Dispatcher, request } from "undici";

export interface ImageModelConfig {
  /** The provider's name in allow-lists (openai, ark, sd, …): models are checked as `name/model`. */
  name: string;
  type: "openai" | "volcano-ark" | "automatic1111" | "comfyui";
  baseURL?: string;
  apiKey?: string;
  model: string;
}

export interface ImageRequest {
  prompt: string;
  n: number;
  size: string;
  seed?: number;
  negativePrompt?: string;
}

export interface GeneratedImage {
  bytes: Buffer;
  mime: string;
  seed: number | null;
  revisedPrompt?: string;
}

export class ImageError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const defaults = { openai: "https://api.openai.com/v1", "volcano-ark": "https://ark.cn-beijing.volces.com/api/v3" } as const;

/** What the image APIs answer on failure: OpenAI's and Ark's `error`, ComfyUI's `node_errors`, Automatic1111's `detail`. */
interface ErrorBody {
  error?: { message?: string; code?: string };
  node_errors?: Record<string, { errors: Array<{ message: string }> }>;
  detail?: string | Array<{ msg: string }>;
}

/** Posts JSON and reads the answer, which the caller describes as `T`. */
async function post<T>(provider: string, url: string, headers: Record<string, string>, body: object, signal?: AbortSignal): Promise<T> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: signal ?? AbortSignal.timeout(180_000),
    });
  } catch (err) {
    throw new ImageError(502, `${provider} is unreachable: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  let json: ErrorBody;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImageError(502, `${provider} answered HTTP ${res.statusCode} with something that is not JSON`);
  }
  if (res.statusCode >= 400) {
    const e: { message?: string; code?: string } = json.error ?? {};
    const nodeErrors = json.node_errors ? Object.values(json.node_errors).flatMap((n) => n.errors.map((x) => x.message)) : [];
    const detail =
      (nodeErrors.length ? `${e.message}: ${nodeErrors.join("; ")}` : e.message) ??
      (Array.isArray(json.detail) ? json.detail.map((d) => d.msg).join("; ") : json.detail) ??
      `HTTP ${res.statusCode}`;
    throw new ImageError(res.statusCode === 400 || res.statusCode === 422 ? 400 : 502, `${provider}: ${detail}`, e.code ?? undefined);
  }
  return json as T;
}

/**
 * ComfyUI's default text-to-image workflow in its API format: checkpoint (the configured model), prompts, empty
 * latent, sampler, decode, save.
 */
function comfyWorkflow(c: ImageModelConfig, r: ImageRequest, seed: number, width: number, height: number) {
  return {
    "4": { class_type: "CheckpointLoaderSimple", inputs: { ckpt_name: c.model } },
    "6": { class_type: "CLIPTextEncode", inputs: { text: r.prompt, clip: ["4", 1] } },
    "7": { class_type: "CLIPTextEncode", inputs: { text: r.negativePrompt ?? "", clip: ["4", 1] } },
    "5": { class_type: "EmptyLatentImage", inputs: { width, height, batch_size: r.n } },
    "3": {
      class_type: "KSampler",
      inputs: {
        seed,
        steps: 20,
        cfg: 7,
        sampler_name: "euler",
        scheduler: "normal",
        denoise: 1,
        model: ["4", 0],
        positive: ["6", 0],
        negative: ["7", 0],
        latent_image: ["5", 0],
      },
    },
    "8": { class_type: "VAEDecode", inputs: { samples: ["3", 0], vae: ["4", 2] } },
    "9": { class_type: "SaveImage", inputs: { filename_prefix: "benih", images: ["8", 0] } },
  };
}

async function comfyUI(c: ImageModelConfig, r: ImageRequest, signal?: AbortSignal): Promise<GeneratedImage[]> {
  if (!c.baseURL) throw new ImageError(500, "comfyui needs baseURL");
  const base = c.baseURL.replace(/\/+$/, "");
  const [width, height] = r.size.split("x").map(Number) as [number, number];
  const seed = r.seed ?? Math.floor(Math.random() * 2 ** 32);
  const queued = await post<{ prompt_id: string }>(
    "ComfyUI",
    `${base}/prompt`,
    {},
    { prompt: comfyWorkflow(c, r, seed, width, height), client_id: "benih" },
    signal,
  );
  const id = queued.prompt_id;
  // ComfyUI runs the queue in order; its history lists a prompt once it has run.
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; await new Promise((ok) => setTimeout(ok, 500))) {
    const res = await request(`${base}/history/${encodeURIComponent(id)}`, { method: "GET", ...(signal && { signal }) });
    const history = (await res.body.json()) as Record<
      string,
      {
        outputs: Record<string, { images?: Array<{ filename: string; subfolder: string; type: string }> }>;
        status?: { status_str?: string };
      }
    >;
    const done = history[id];
    if (!done) continue;
    if (done.status?.status_str === "error") throw new ImageError(502, "ComfyUI: the workflow failed to run");
    const files = Object.values(done.outputs).flatMap((o) => o.images ?? []);
    return Promise.all(
      files.map(async (f, i) => {
        const img = await request(`${base}/view?${new URLSearchParams({ filename: f.filename, subfolder: f.subfolder, type: f.type })}`, {
          method: "GET",
        });
        if (img.statusCode !== 200) throw new ImageError(502, `ComfyUI: could not read ${f.filename} (HTTP ${img.statusCode})`);
        return {
          bytes: Buffer.from(await img.body.arrayBuffer()),
          mime: String(img.headers["content-type"] ?? "image/png"),
          seed: seed + i,
        };
      }),
    );
  }
  throw new ImageError(504, "ComfyUI did not finish within 10 minutes");
}

/**
 * Draws images with one configured model, as its API documents: OpenAI's Images API, Ark's Seedream (the same
 * shape, with seed), an Automatic1111 server, or a ComfyUI server (a workflow queued, then read from its history).
 */
export async function generateImages(c: ImageModelConfig, r: ImageRequest, signal?: AbortSignal): Promise<GeneratedImage[]> {
  if (c.type === "comfyui") return comfyUI(c, r, signal);
  if (c.type === "automatic1111") {
    if (!c.baseURL) throw new ImageError(500, "automatic1111 needs baseURL");
    const [width, height] = r.size.split("x").map(Number);
    const j = await post<{ images: string[]; info: string }>(
      "Automatic1111",
      `${c.baseURL.replace(/\/+$/, "")}/sdapi/v1/txt2img`,
      {},
      {
        prompt: r.prompt,
        negative_prompt: r.negativePrompt ?? "",
        width,
        height,
        batch_size: r.n,
        seed: r.seed ?? -1,
        ...(c.model && c.model !== "default" && { override_settings: { sd_model_checkpoint: c.model } }),
      },
      signal,
    );
    const info = (() => {
      try {
        return JSON.parse(j.info) as { all_seeds?: number[]; seed?: number };
      } catch {
        return {};
      }
    })();
    return j.images.map((b64, i) => ({
      bytes: Buffer.from(b64, "base64"),
      mime: "image/png",
      seed: info.all_seeds?.[i] ?? info.seed ?? null,
    }));
  }
  const base = (c.baseURL ?? defaults[c.type]).replace(/\/+$/, "");
  const provider = c.type === "openai" ? "OpenAI" : "Volcano Ark";
  // Ark takes a seed and adds a watermark unless told not to; OpenAI's image models take neither.
  const extra = c.type === "volcano-ark" ? { watermark: false, ...(r.seed !== undefined && { seed: r.seed }) } : {};
  const j = await post<{ data: Array<{ b64_json: string; revised_prompt?: string }> }>(
    provider,
    `${base}/images/generations`,
    { authorization: `Bearer ${c.apiKey ?? ""}` },
    { model: c.model, prompt: r.prompt, n: r.n, size: r.size, response_format: "b64_json", ...extra },
    signal,
  );
  return j.data.map((d) => ({
    bytes: Buffer.from(d.b64_json, "base64"),
    mime: "image/png",
    seed: c.type === "volcano-ark" ? (r.seed ?? null) : null,
    ...(d.revised_prompt && { revisedPrompt: d.revised_prompt }),
  }));
}

export interface EditRequest extends ImageRequest {
  /** The image to change (PNG or JPEG bytes). */
  image: Buffer;
}

/**
 * Changes an image as the prompt says: OpenAI's Images edits (multipart), Ark (Seededit: generations with the
 * image as a data URL), Automatic1111's img2img. ComfyUI needs a workflow with a LoadImage node: not offered yet.
 */
export async function editImages(c: ImageModelConfig, r: EditRequest, signal?: AbortSignal): Promise<GeneratedImage[]> {
  if (c.type === "comfyui")
    throw new ImageError(400, "ComfyUI: editing images is not offered yet (it needs an img2img workflow); use another image model");
  if (c.type === "automatic1111") {
    if (!c.baseURL) throw new ImageError(500, "automatic1111 needs baseURL");
    const [width, height] = r.size.split("x").map(Number);
    const j = await post<{ images: string[] }>(
      "Automatic1111",
      `${c.baseURL.replace(/\/+$/, "")}/sdapi/v1/img2img`,
      {},
      {
        init_images: [r.image.toString("base64")],
        prompt: r.prompt,
        width,
        height,
        batch_size: r.n,
        seed: r.seed ?? -1,
        denoising_strength: 0.6,
      },
      signal,
    );
    return j.images.map((b64) => ({ bytes: Buffer.from(b64, "base64"), mime: "image/png", seed: r.seed ?? null }));
  }
  const base = (c.baseURL ?? defaults[c.type]).replace(/\/+$/, "");
  if (c.type === "volcano-ark") {
    const j = await post<{ data: Array<{ b64_json: string }> }>(
      "Volcano Ark",
      `${base}/images/generations`,
      { authorization: `Bearer ${c.apiKey ?? ""}` },
      {
        model: c.model,
        prompt: r.prompt,
        image: `data:image/png;base64,${r.image.toString("base64")}`,
        size: "adaptive",
        response_format: "b64_json",
        watermark: false,
        ...(r.seed !== undefined && { seed: r.seed }),
      },
      signal,
    );
    return j.data.map((d) => ({
      bytes: Buffer.from(d.b64_json, "base64"),
      mime: "image/png",
      seed: r.seed ?? null,
    }));
  }
  const form = new FormData();
  form.append("image", new Blob([r.image], { type: "image/png" }), "image.png");
  form.append("prompt", r.prompt);
  form.append("model", c.model);
  form.append("n", String(r.n));
  form.append("size", r.size);
  let res: Response;
  try {
    // Node's fetch takes Node's FormData as it is; undici 8's request is typed for undici's own FormData class.
    res = await fetch(`${base}/images/edits`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.apiKey ?? ""}` },
      body: form,
      signal: signal ?? AbortSignal.timeout(180_000),
    });
  } catch (err) {
    throw new ImageError(502, `OpenAI is unreachable: ${(err as Error).message}`);
  }
  const j = (await res.json()) as {
    data?: Array<{ b64_json: string; revised_prompt?: string }>;
    error?: { message: string; code?: string };
  };
  if (res.status >= 400)
    throw new ImageError(res.status === 400 ? 400 : 502, `OpenAI: ${j.error?.message ?? `HTTP ${res.status}`}`, j.error?.code);
  return (j.data ?? []).map((d) => ({
    bytes: Buffer.from(d.b64_json, "base64"),
    mime: "image/png",
    seed: null,
    ...(d.revised_prompt && { revisedPrompt: d.revised_prompt }),
  }));
}
