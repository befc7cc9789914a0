import type { ImageView, MessageMeta } from "@benih/contracts";
import { GatewayError } from "@benih/gateway";
import type { FastifyRequest } from "fastify";
import { ownerOf } from "../http.ts";
import { dataUrlLength, defaultImageLimits } from "../images/limits.ts";
import type { ImageRoutesOptions } from "../images/routes.ts";
import { imageViewOf } from "../images/uploads.ts";
import { sizeOf } from "../knowledge/limits.ts";
import type { DirectAnswer } from "./fit-answer.ts";

/**
 * The caller's kept images by id, as a message keeps them, checked without reading their bytes: a 400 naming the
 * first that is not theirs, a 413 when together, as the model reads them, they take more than one message may.
 */
export async function imagesOf(request: FastifyRequest, images: ImageRoutesOptions, ids: readonly string[]): Promise<ImageView[]> {
  const owned = new Map((await images.storeFor(request).owned(ids, ownerOf(request))).map((i) => [i.id, i]));
  const kept = ids.map((id) => {
    const image = owned.get(id);
    if (!image)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `images: ${id} is not one of your images (upload it to /v1/images/uploads first)`,
        "invalid_image",
        "images",
      );
    return image;
  });
  const budget = images.maxMessageBytes ?? defaultImageLimits.maxMessageBytes;
  const sent = kept.reduce((n, i) => n + dataUrlLength(i.mime, i.byteLength), 0);
  if (sent > budget)
    throw new GatewayError(
      413,
      "invalid_request_error",
      `images: these images take ${sizeOf(sent)} as the model reads them (base64), over the ${sizeOf(budget)} one message may carry (limits.images.perMessageMb); attach fewer or smaller images`,
      "images_too_large",
      "images",
    );
  return kept.map(imageViewOf);
}

/** A message's images as the model reads them: data URLs of their bytes (one that is gone is left out). */
export async function dataUrlsOf(request: FastifyRequest, images: ImageRoutesOptions, views: readonly ImageView[]): Promise<string[]> {
  const store = images.storeFor(request);
  const kept = await Promise.all(views.map((v) => store.get(v.id, ownerOf(request))));
  return kept.flatMap((k) => (k ? [`data:${k.mime};base64,${k.bytes.toString("base64")}`] : []));
}

/** The answer when the model cannot see the message's images: the notice, and a sentence for API clients. */
export function needsVision(model: string, meta: MessageMeta): DirectAnswer {
  return {
    content: `${model} cannot see images. Choose a model that can (one with vision), then regenerate the answer.`,
    meta: { ...meta, notice: { code: "needs_larger_model", skill: "vision" } },
  };
}
