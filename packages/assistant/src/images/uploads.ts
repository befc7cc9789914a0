import type { ImageView } from "@benih/contracts";
import { access, GatewayError } from "@benih/gateway";
import { ImageQuotaError } from "@benih/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import multipart from "@fastify/multipart";
import { ownerOf } from "../http.ts";
import { sizeOf } from "../knowledge/limits.ts";
import { readImageHeader, sniffedType, UPLOAD_TYPES, type UploadType } from "./header.ts";
import { defaultImageLimits, largestImageFor, quotaExceeded } from "./limits.ts";
import type { ImageRoutesOptions } from "./routes.ts";

/** The upload size when the options name none (the server's assistant.uploadMaxMb default). */
export const DEFAULT_UPLOAD_BYTES = 25 * 1024 * 1024;
/** The widest and tallest image taken, in pixels: a vision model or an edit gains nothing from more. */
export const MAX_UPLOAD_SIDE = 8192;
/** What an uploaded image's row says in place of the model that drew it. */
export const UPLOADED = "upload";

const types = UPLOAD_TYPES.join(", ");

/** How a kept image is shown in answers, messages and the upload's reply: served to its owner at `url`. */
export const imageViewOf = (i: { id: string; model: string; size: string; seed: number | null }): ImageView => ({
  id: i.id,
  url: `/v1/images/${i.id}`,
  model: i.model,
  size: i.size,
  seed: i.seed,
});

const tooLarge = (limit: { bytes: number; key: string; what: string }) =>
  new GatewayError(
    413,
    "invalid_request_error",
    `The image is larger than ${sizeOf(limit.bytes)}, ${limit.what} (${limit.key})`,
    "request_too_large",
  );
const unsupported = (what: string) =>
  new GatewayError(415, "invalid_request_error", `${what} is not an image type taken here: send ${types}`, "unsupported_image_type");

/**
 * The bytes checked before anything is kept: an image of the type it is sent as (by its magic bytes), its size in
 * pixels read from its header within the budget. Returns its type and size.
 */
export function checkUpload(bytes: Buffer, declared: string | undefined): { mime: UploadType; size: string } {
  if (declared && declared !== "application/octet-stream" && !UPLOAD_TYPES.includes(declared as UploadType)) throw unsupported(declared);
  const header = readImageHeader(bytes);
  if (!header || (declared && declared !== "application/octet-stream" && header.mime !== declared)) {
    const really = sniffedType(bytes);
    const said = declared && declared !== "application/octet-stream" ? `sent as ${declared}` : "sent";
    throw new GatewayError(
      422,
      "invalid_request_error",
      really && really !== declared
        ? `The image was ${said} but its bytes are ${really}: send it with that type`
        : `The file ${said} is not a readable image (its header is not one of ${types})`,
      "unreadable_image",
    );
  }
  if (header.width > MAX_UPLOAD_SIDE || header.height > MAX_UPLOAD_SIDE)
    throw new GatewayError(
      413,
      "invalid_request_error",
      `The image is ${header.width}×${header.height} pixels; the limit is ${MAX_UPLOAD_SIDE}×${MAX_UPLOAD_SIDE}`,
      "image_too_large",
    );
  return { mime: header.mime, size: `${header.width}x${header.height}` };
}

/**
 * `POST /v1/images/uploads`: an image to go with a message (or to change), as the raw body with its type
 * (image/png, image/jpeg, image/webp, image/gif) or as the `image` file of a multipart form. It is kept where drawn
 * images are, served to its owner at the url of the ImageView answered. An image that would bring its owner's
 * images over their quota is refused, from the length announced before its body is read, and before it is kept.
 */
export function registerImageUploads(app: FastifyInstance, o: ImageRoutesOptions) {
  // An image no message could carry to a model is refused here, not when it is attached.
  const upload = o.maxUploadBytes ?? DEFAULT_UPLOAD_BYTES;
  const carried = largestImageFor(o.maxMessageBytes ?? defaultImageLimits.maxMessageBytes);
  const refusal =
    carried < upload
      ? { bytes: carried, key: "limits.images.perMessageMb", what: "the largest one message can carry to a model" }
      : { bytes: upload, key: "assistant.uploadMaxMb", what: "the upload limit" };
  const limit = refusal.bytes;
  const quota = o.maxOwnerBytes ?? defaultImageLimits.maxOwnerBytes;
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // A body over the limit is refused from its content-length, before it is read; another type before as well.
    scope.addContentTypeParser([...UPLOAD_TYPES], { parseAs: "buffer", bodyLimit: limit }, (_request, body, done) => done(null, body));
    await scope.register(multipart, { limits: { fileSize: limit, files: 1, fields: 4 }, throwFileSizeLimit: true });
    scope.setErrorHandler((err: Error & { code?: string }, request) => {
      if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE" || err.code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(refusal);
      if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") throw unsupported(request.headers["content-type"] ?? "A body without a type");
      throw err;
    });
    scope.addHook("preParsing", async (request) => {
      // A raw body's length is the image's; a form's is not known until it is read.
      const announced = request.isMultipart() ? 0 : Number(request.headers["content-length"]) || 0;
      if (announced > limit) throw tooLarge(refusal);
      const { bytes: used } = await o.storeFor(request).usage(ownerOf(request));
      if (used >= quota || used + announced > quota) throw quotaExceeded(used, announced, quota);
    });
    scope.post("/v1/images/uploads", access("person"), async (request: FastifyRequest, reply): Promise<ImageView> => {
      let bytes: Buffer | undefined;
      let declared: string | undefined;
      if (request.isMultipart()) {
        for await (const part of request.parts()) {
          if (part.type !== "file") continue;
          if (part.fieldname !== "image") {
            await part.toBuffer();
            continue;
          }
          declared = part.mimetype;
          bytes = await part.toBuffer();
        }
      } else {
        bytes = request.body as Buffer | undefined;
        declared = request.headers["content-type"]?.split(";")[0]?.trim();
      }
      if (!bytes?.length)
        throw new GatewayError(
          400,
          "invalid_request_error",
          "image: send the image as the body, or as the image file of a form",
          "invalid_body",
          "image",
        );
      const { mime, size } = checkUpload(bytes, declared);
      const row = { owner: ownerOf(request), prompt: "", model: UPLOADED, size, seed: null, mime, bytes };
      try {
        return reply.code(201).send(imageViewOf(await o.storeFor(request).add(row, Date.now(), { maxOwnerBytes: quota })));
      } catch (err) {
        if (err instanceof ImageQuotaError) throw quotaExceeded(err.used, err.adding, err.quota);
        throw err;
      }
    });
  });
}
