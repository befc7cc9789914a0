import { ownerOf } from "../http.ts";
import { videoJobView, type VideoJobView } from "@benih/contracts";
import { access, GatewayError, metered, refuseBlocked } from "@benih/gateway";
import type { VideoJob, VideoJobStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { allowedMediaModel } from "../media-model.ts";
import type { VideoModelConfig } from "./providers.ts";
import { SLIDESHOW } from "./runner.ts";

export const VIDEO_MISSING =
  "video generation is not configured: add assistant.videos in benih.yaml ({ name: ark, type: volcano-ark, model: <a Seedance model>, apiKey: … } or { name: openai, type: openai, model: sora-2, apiKey: … }); without one, benih makes a captioned slideshow with ffmpeg";

export const videoBody = z.strictObject({ prompt: z.string().min(1).max(2000), model: z.string().min(1).optional() });

export interface VideoRoutesOptions {
  models: readonly VideoModelConfig[];
  storeFor(request: FastifyRequest): VideoJobStore;
  /** Whether ffmpeg is here for the offline slideshow. */
  slideshow: boolean;
}

/** The job as the API shows it: where it stands, and where its video is once done. */
export const jobView = (j: VideoJob): VideoJobView =>
  videoJobView.parse({
    id: j.id,
    object: "video.job",
    created_at: j.created_at,
    prompt: j.prompt,
    model: j.model,
    kind: j.model === SLIDESHOW ? "slideshow" : "generated",
    status: j.state,
    progress: j.progress,
    error: j.error,
    content_url: j.state === "succeeded" ? `/v1/videos/${j.id}/content` : null,
  });

/** Starts a video job with the request's allowed model, or the slideshow when none is configured. */
export async function startVideoJob(request: FastifyRequest, o: VideoRoutesOptions, prompt: string, wanted?: string): Promise<VideoJob> {
  let model: string;
  if (!o.models.length && !wanted) {
    if (!o.slideshow)
      throw new GatewayError(400, "invalid_request_error", `${VIDEO_MISSING}, which is not installed here either`, "video_not_configured");
    model = SLIDESHOW;
  } else {
    const m = allowedMediaModel(request, o.models, "video", wanted);
    model = `${m.name}/${m.model}`;
  }
  refuseBlocked(request, prompt, model);
  return o.storeFor(request).create({ owner: ownerOf(request), prompt, model });
}

/** `POST /v1/videos` starts a job (202); `GET /v1/videos/:id` says where it stands; `…/content` is the MP4. */
export function registerVideoRoutes(app: FastifyInstance, o: VideoRoutesOptions) {
  app.post("/v1/videos", metered(), async (request, reply) => {
    const r = videoBody.safeParse(request.body ?? {});
    if (!r.success)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `${r.error.issues[0]!.path.join(".") || "body"}: ${r.error.issues[0]!.message}`,
        "invalid_body",
      );
    return reply.code(202).send(jobView(await startVideoJob(request, o, r.data.prompt, r.data.model)));
  });
  app.get("/v1/videos/:id", access("person"), async (request) => {
    const id = (request.params as { id: string }).id;
    const job = await o.storeFor(request).get(id, ownerOf(request));
    if (!job) throw new GatewayError(404, "not_found_error", `Video job ${id} does not exist (or belongs to someone else).`, "not_found");
    return jobView(job);
  });
  app.get("/v1/videos/:id/content", access("person"), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const content = await o.storeFor(request).content(id, ownerOf(request));
    if (!content) throw new GatewayError(404, "not_found_error", `Video ${id} is not ready, or does not exist.`, "not_found");
    return reply.type(content.mime).header("cache-control", "private, max-age=31536000, immutable").send(content.bytes);
  });
}
