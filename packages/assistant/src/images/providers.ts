import { request } from "undici";

export interface ImageModelConfig {
  /** The provider's name in allow-lists (openai, ark, sd, …): models are checked as `name/model`. */
  name: string;
  type: "openai" | "volcano-ark" | "automatic1111";
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

async function post(provider: string, url: string, headers: Record<string, string>, body: object, signal?: AbortSignal): Promise<any> {
  let res;
  try {
    res = await request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal: signal ?? AbortSignal.timeout(180_000) });
  } catch (err) {
    throw new ImageError(502, `${provider} is unreachable: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImageError(502, `${provider} answered HTTP ${res.statusCode} with something that is not JSON`);
  }
  if (res.statusCode >= 400) {
    const e = json.error ?? {};
    const detail = e.message ?? (Array.isArray(json.detail) ? json.detail.map((d: { msg: string }) => d.msg).join("; ") : json.detail) ?? `HTTP ${res.statusCode}`;
    throw new ImageError(res.statusCode === 400 || res.statusCode === 422 ? 400 : 502, `${provider}: ${detail}`, e.code ?? undefined);
  }
  return json;
}

/** Draws images with one configured model, as its API documents: OpenAI's Images API, Ark's Seedream (the same shape, with seed), or an Automatic1111 server. */
export async function generateImages(c: ImageModelConfig, r: ImageRequest, signal?: AbortSignal): Promise<GeneratedImage[]> {
  if (c.type === "automatic1111") {
    if (!c.baseURL) throw new ImageError(500, "automatic1111 needs baseURL");
    const [width, height] = r.size.split("x").map(Number);
    const j = await post("Automatic1111", `${c.baseURL.replace(/\/+$/, "")}/sdapi/v1/txt2img`, {}, { prompt: r.prompt, negative_prompt: r.negativePrompt ?? "", width, height, batch_size: r.n, seed: r.seed ?? -1, ...(c.model && c.model !== "default" && { override_settings: { sd_model_checkpoint: c.model } }) }, signal);
    const info = (() => {
      try {
        return JSON.parse(j.info) as { all_seeds?: number[]; seed?: number };
      } catch {
        return {};
      }
    })();
    return (j.images as string[]).map((b64, i) => ({ bytes: Buffer.from(b64, "base64"), mime: "image/png", seed: info.all_seeds?.[i] ?? info.seed ?? null }));
  }
  const base = (c.baseURL ?? defaults[c.type]).replace(/\/+$/, "");
  const provider = c.type === "openai" ? "OpenAI" : "Volcano Ark";
  // Ark takes a seed and adds a watermark unless told not to; OpenAI's image models take neither.
  const extra = c.type === "volcano-ark" ? { watermark: false, ...(r.seed !== undefined && { seed: r.seed }) } : {};
  const j = await post(provider, `${base}/images/generations`, { authorization: `Bearer ${c.apiKey ?? ""}` }, { model: c.model, prompt: r.prompt, n: r.n, size: r.size, response_format: "b64_json", ...extra }, signal);
  return (j.data as Array<{ b64_json: string; revised_prompt?: string }>).map((d) => ({ bytes: Buffer.from(d.b64_json, "base64"), mime: "image/png", seed: c.type === "volcano-ark" ? (r.seed ?? null) : null, ...(d.revised_prompt && { revisedPrompt: d.revised_prompt }) }));
}
