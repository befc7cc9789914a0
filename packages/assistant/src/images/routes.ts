import { ownerOf } from "../http.ts";
import { access, GatewayError, metered, refuseBlocked } from "@benih/gateway";
import type { ImageStore } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import multipart from "@fastify/multipart";
import { allowedMediaModel } from "../media-model.ts";
import { UPLOAD_TYPES, type UploadType } from "./header.ts";
import { defaultImageLimits, quotaExceeded } from "./limits.ts";
import { editImages, generateImages, ImageError, type GeneratedImage, type ImageModelConfig } from "./providers.ts";
import { DEFAULT_UPLOAD_BYTES, registerImageUploads } from "./uploads.ts";

export const IMAGES_MISSING =
  "image generation is not configured: add assistant.images in benih.yaml, e.g. { name: openai, type: openai, model: gpt-image-1, apiKey: … }, volcano-ark (Seedream) or automatic1111 (baseURL of your webui)";

export const imageBody = z.strictObject({
  prompt: z.string().min(1).max(4000),
  model: z.string().min(1).optional(),
  n: z.number().int().min(1).max(4).default(1),
  size: z
    .string()
    .regex(/^\d{2,4}x\d{2,4}$/, "use WIDTHxHEIGHT, e.g. 1024x1024")
    .default("1024x1024"),
  seed: z.number().int().min(0).optional(),
  response_format: z.enum(["url", "b64_json"]).default("url"),
});

export interface ImageRoutesOptions {
  models: readonly ImageModelConfig[];
  storeFor(request: FastifyRequest): ImageStore;
  /** The largest image an edit or an upload may send, in bytes. */
  maxUploadBytes?: number;
  /** Bytes one owner may keep in images (uploaded and drawn); defaultImageLimits' without it. */
  maxOwnerBytes?: number;
  /** Bytes one message's images may take as the model reads them; defaultImageLimits' without it. */
  maxMessageBytes?: number;
}

const notFound = (id: string) =>
  new GatewayError(404, "not_found_error", `Image ${id} does not exist (or belongs to someone else).`, "not_found");
const idOf = (m: ImageModelConfig) => `${m.name}/${m.model}`;

/**
 * The image models this request's market may use: configured, allowed by its allow-list. Chosen by `provider/model`
 * id, or the first allowed one.
 */
export function imageModelFor(request: FastifyRequest, models: readonly ImageModelConfig[], wanted?: string): ImageModelConfig {
  if (!models.length) throw new GatewayError(400, "invalid_request_error", IMAGES_MISSING, "images_not_configured");
  return allowedMediaModel(request, models, "image", wanted);
}

/**
 * Draws (or, given an image, edits) and keeps images; the content policy of the request's market applies to the
 * prompt. Drawn images count in their owner's quota: an owner at it is refused before anything is drawn, and what
 * is drawn then is kept whole (a batch may pass the quota once, rather than lose images already paid for).
 */
export async function drawAndKeep(request: FastifyRequest, o: ImageRoutesOptions, body: z.infer<typeof imageBody>, edit?: Buffer) {
  const model = imageModelFor(request, o.models, body.model);
  refuseBlocked(request, body.prompt, idOf(model));
  const store = o.storeFor(request);
  const quota = o.maxOwnerBytes ?? defaultImageLimits.maxOwnerBytes;
  const { bytes: used } = await store.usage(ownerOf(request));
  if (used >= quota) throw quotaExceeded(used, 0, quota);
  let images: GeneratedImage[];
  try {
    const r = { prompt: body.prompt, n: body.n, size: body.size, ...(body.seed !== undefined && { seed: body.seed }) };
    images = edit ? await editImages(model, { ...r, image: edit }) : await generateImages(model, r);
  } catch (err) {
    if (err instanceof ImageError)
      throw new GatewayError(
        err.status,
        err.status === 400 ? "invalid_request_error" : "upstream_error",
        err.message,
        err.code ?? "image_generation_failed",
      );
    throw err;
  }
  return Promise.all(
    images.map(async (img) => ({
      ...(await store.add({
        owner: ownerOf(request),
        prompt: body.prompt,
        model: idOf(model),
        size: body.size,
        seed: img.seed,
        mime: img.mime,
        bytes: img.bytes,
      })),
      bytes: img.bytes,
      revisedPrompt: img.revisedPrompt,
    })),
  );
}

/**
 * The headers a kept image is served with: its type when it is an image type a browser shows (else bytes to save,
 * never a page), never sniffed as another, with a file name of its id.
 */
function servedAs(img: { id: string; mime: string }) {
  const shown = UPLOAD_TYPES.includes(img.mime as UploadType);
  const name = `${img.id}${shown ? `.${img.mime.slice("image/".length).replace("jpeg", "jpg")}` : ""}`;
  return {
    "content-type": shown ? img.mime : "application/octet-stream",
    "x-content-type-options": "nosniff",
    "content-disposition": `${shown ? "inline" : "attachment"}; filename="${name}"`,
  };
}

/**
 * `POST /v1/images/generations` and `/v1/images/edits` on OpenAI's wire format, `POST /v1/images/uploads` for an
 * image of the user's own, `GET /v1/images/:id` for the kept bytes and `DELETE /v1/images/:id` to delete them.
 */
export function registerImageRoutes(app: FastifyInstance, o: ImageRoutesOptions) {
  app.post("/v1/images/generations", metered(), async (request) => {
    const r = imageBody.safeParse(request.body ?? {});
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new GatewayError(
        400,
        "invalid_request_error",
        `${issue.path.join(".") || "body"}: ${issue.message}`,
        "invalid_body",
        issue.path.join(".") || null,
      );
    }
    const kept = await drawAndKeep(request, o, r.data);
    return {
      created: Math.floor(Date.now() / 1000),
      data: kept
        .map((k) =>
          r.data.response_format === "b64_json"
            ? { b64_json: k.bytes.toString("base64") }
            : { url: `${request.protocol}://${request.headers.host}/v1/images/${k.id}` },
        )
        .map((d, i) => ({ ...d, ...(kept[i]!.revisedPrompt && { revised_prompt: kept[i]!.revisedPrompt }) })),
    };
  });
  // OpenAI's edits take a multipart form: the image file, the prompt and the options as fields.
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: o.maxUploadBytes ?? DEFAULT_UPLOAD_BYTES, files: 1 }, throwFileSizeLimit: true });
    scope.post("/v1/images/edits", access("person"), async (request) => {
      if (!request.isMultipart())
        throw new GatewayError(
          400,
          "invalid_request_error",
          "send a multipart form: image (a file), prompt, and optionally model, n, size, response_format",
          "invalid_body",
        );
      const fields: Record<string, string> = {};
      let image: Buffer | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === "file") {
            if (part.fieldname === "image" || part.fieldname === "image[]") image = await part.toBuffer();
            else await part.toBuffer();
          } else fields[part.fieldname] = String(part.value);
        }
      } catch (err) {
        if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE")
          throw new GatewayError(
            413,
            "invalid_request_error",
            `the image is larger than ${Math.round((o.maxUploadBytes ?? DEFAULT_UPLOAD_BYTES) / 1048576)} MB`,
            "file_too_large",
          );
        throw err;
      }
      if (!image?.length) throw new GatewayError(400, "invalid_request_error", "image: attach the image to edit", "invalid_body", "image");
      const r = imageBody.safeParse({
        ...fields,
        ...(fields.n && { n: Number(fields.n) }),
        ...(fields.seed && { seed: Number(fields.seed) }),
      });
      if (!r.success)
        throw new GatewayError(
          400,
          "invalid_request_error",
          `${r.error.issues[0]!.path.join(".") || "body"}: ${r.error.issues[0]!.message}`,
          "invalid_body",
        );
      const kept = await drawAndKeep(request, o, r.data, image);
      return {
        created: Math.floor(Date.now() / 1000),
        data: kept.map((k) =>
          r.data.response_format === "b64_json"
            ? { b64_json: k.bytes.toString("base64") }
            : { url: `${request.protocol}://${request.headers.host}/v1/images/${k.id}` },
        ),
      };
    });
  });
  registerImageUploads(app, o);
  app.get("/v1/images/:id", access("person"), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const img = await o.storeFor(request).get(id, ownerOf(request));
    if (!img) throw notFound(id);
    return reply.headers({ ...servedAs(img), "cache-control": "private, max-age=31536000, immutable" }).send(img.bytes);
  });
  // Messages that showed a deleted image keep its view; the model is sent the images still kept.
  app.delete("/v1/images/:id", access("person"), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!(await o.storeFor(request).delete(id, ownerOf(request)))) throw notFound(id);
    return reply.code(204).send();
  });
}
