import { GatewayError } from "@benih/gateway";
import { sizeOf } from "../knowledge/limits.ts";

/** What images may take: in one message sent to a model, and kept by one person. */
export interface ImageLimits {
  /**
   * Bytes one message's images may take as the model reads them (data URLs, base64): they go in one request to
   * the server's own /v1/chat/completions, so this stays below its body limit.
   */
  maxMessageBytes: number;
  /** Bytes one owner may keep in images, uploaded and drawn. */
  maxOwnerBytes: number;
}

export const defaultImageLimits: Readonly<ImageLimits> = Object.freeze({
  maxMessageBytes: 12 * 1024 * 1024,
  maxOwnerBytes: 200 * 1024 * 1024,
});

/** The length of an image's data URL: its type, then its bytes in base64. */
export const dataUrlLength = (mime: string, byteLength: number) => `data:${mime};base64,`.length + 4 * Math.ceil(byteLength / 3);

/** The largest image (in bytes) that still fits one message once read as a data URL, a little room left for its type. */
export const largestImageFor = (maxMessageBytes: number) => Math.floor(((maxMessageBytes - 64) * 3) / 4);

/** The 413 for an image (of `adding` bytes; 0: of a size not yet known) that its owner's quota has no room for. */
export const quotaExceeded = (used: number, adding: number, quota: number) =>
  new GatewayError(
    413,
    "invalid_request_error",
    `${adding ? `This image (${sizeOf(adding)}) does not fit: your` : "Your"} images take ${sizeOf(used)} of the ${sizeOf(quota)} one key may keep (limits.images.perPersonMb); delete some of them first (DELETE /v1/images/{id})`,
    "image_quota_exceeded",
  );
