import { request } from "undici";
import { safeDownload } from "../web/safe-fetch.ts";

export interface VideoModelConfig {
  /** The provider's name in allow-lists: models are checked as `name/model`. */
  name: string;
  type: "volcano-ark" | "openai";
  baseURL?: string;
  apiKey?: string;
  model: string;
}

export interface TaskStatus {
  state: "queued" | "running" | "succeeded" | "failed";
  progress: number;
  error?: string;
  /** Ark: where the finished video can be downloaded. */
  videoUrl?: string;
}

export class VideoError extends Error {}

const defaults = { "volcano-ark": "https://ark.cn-beijing.volces.com/api/v3", openai: "https://api.openai.com/v1" } as const;
const base = (c: VideoModelConfig) => (c.baseURL ?? defaults[c.type]).replace(/\/+$/, "");
const who = (c: VideoModelConfig) => (c.type === "openai" ? "OpenAI" : "Volcano Ark");

/** The providers' task, as far as it is read here (Ark's and OpenAI's fields together). */
interface TaskBody {
  id?: unknown;
  status?: string;
  progress?: number;
  error?: { message?: string };
  content?: { video_url?: string };
}

async function call(c: VideoModelConfig, method: "GET" | "POST", url: string, body?: object): Promise<TaskBody> {
  const res = await request(url, {
    method,
    headers: { authorization: `Bearer ${c.apiKey ?? ""}`, ...(body && { "content-type": "application/json" }) },
    ...(body && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.body.text();
  let json: TaskBody;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VideoError(`${who(c)} answered HTTP ${res.statusCode} with something that is not JSON`);
  }
  if (res.statusCode >= 400) throw new VideoError(`${who(c)}: ${json.error?.message ?? `HTTP ${res.statusCode}`}`);
  return json;
}

/** Starts a generation task; returns the provider's task id. */
export async function submitVideo(c: VideoModelConfig, prompt: string): Promise<string> {
  const j =
    c.type === "volcano-ark"
      ? await call(c, "POST", `${base(c)}/contents/generations/tasks`, { model: c.model, content: [{ type: "text", text: prompt }] })
      : await call(c, "POST", `${base(c)}/videos`, { model: c.model, prompt });
  if (typeof j.id !== "string") throw new VideoError(`${who(c)} answered without a task id`);
  return j.id;
}

/** Where a task stands, in the provider's own words mapped to ours. */
export async function videoStatus(c: VideoModelConfig, task: string): Promise<TaskStatus> {
  if (c.type === "volcano-ark") {
    const j = await call(c, "GET", `${base(c)}/contents/generations/tasks/${encodeURIComponent(task)}`);
    const state =
      j.status === "succeeded"
        ? "succeeded"
        : j.status === "failed" || j.status === "cancelled"
          ? "failed"
          : j.status === "running"
            ? "running"
            : "queued";
    return {
      state,
      progress: state === "succeeded" ? 100 : state === "running" ? 50 : 0,
      ...(j.error?.message && { error: j.error.message }),
      ...(j.status === "cancelled" && { error: "the task was cancelled" }),
      ...(j.content?.video_url && { videoUrl: j.content.video_url }),
    };
  }
  const j = await call(c, "GET", `${base(c)}/videos/${encodeURIComponent(task)}`);
  const state =
    j.status === "completed" ? "succeeded" : j.status === "failed" ? "failed" : j.status === "in_progress" ? "running" : "queued";
  return { state, progress: Number(j.progress ?? (state === "succeeded" ? 100 : 0)), ...(j.error?.message && { error: j.error.message }) };
}

/**
 * The finished video's bytes (MP4), through the SSRF guard: Ark names the URL in its answer, and a provider (or
 * whoever answers as it) must not get this server to fetch from inside its network; only the operator's `allow`
 * list reaches there. OpenAI's URL is built from the configured base URL, so that host is allowed, and the key goes
 * to it alone. Larger than `maxBytes` is refused.
 */
export async function downloadVideo(
  c: VideoModelConfig,
  task: string,
  status: TaskStatus,
  o: { allow?: readonly string[]; maxBytes?: number } = {},
): Promise<Buffer> {
  const url = c.type === "volcano-ark" ? status.videoUrl : `${base(c)}/videos/${encodeURIComponent(task)}/content`;
  if (!url) throw new VideoError(`${who(c)} finished the task without a video URL`);
  const allow = [...(o.allow ?? []), ...(c.type === "openai" ? [new URL(base(c)).host] : [])];
  const { bytes } = await safeDownload(url, {
    allow,
    maxBytes: o.maxBytes ?? 512 * 1024 * 1024,
    timeoutMs: 300_000,
    ...(c.type === "openai" && { headers: { authorization: `Bearer ${c.apiKey ?? ""}` } }),
  });
  return bytes;
}
