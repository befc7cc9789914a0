import { imageOptions, type SkillOptions } from "@benih/contracts";
import { GatewayError } from "@benih/gateway";
import { ownerOf } from "../../http.ts";
import { drawAndKeep, registerImageRoutes } from "../../images/routes.ts";
import { imageViewOf } from "../../images/uploads.ts";
import type { Skill } from "../skill.ts";

/**
 * Draws the message as a prompt, or changes a kept image as it says (options.edit, else the first image attached to
 * the message); answers with the image.
 */
export const imageSkill: Skill<SkillOptions<"image">> = {
  id: "image",
  options: imageOptions,
  async answer({ request, services, question, meta }, { size, seed, edit }) {
    const attached = meta.images?.[0]?.id;
    const changing = edit ?? attached;
    const source = changing ? await services.images.storeFor(request).get(changing, ownerOf(request)) : undefined;
    if (changing && !source)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `${edit ? "options.edit" : "images"}: ${changing} is not one of your images`,
        "invalid_image",
        edit ? "options.edit" : "images",
      );
    const kept = await drawAndKeep(
      request,
      services.images,
      {
        prompt: question.content,
        n: 1,
        size: size ?? source?.size ?? "1024x1024",
        response_format: "url",
        ...(seed !== undefined && { seed }),
      },
      source?.bytes,
    );
    const images = kept.map(imageViewOf);
    return { kind: "media", content: kept[0]?.revisedPrompt ?? "", model: kept[0]?.model ?? null, meta: { skill: "image", images } };
  },
  routes: (app, services) => registerImageRoutes(app, services.images),
};
