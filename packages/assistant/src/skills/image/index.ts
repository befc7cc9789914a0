import { imageOptions, type SkillOptions } from "@benih/contracts";
import { GatewayError } from "@benih/gateway";
import { ownerOf } from "../../http.ts";
import { drawAndKeep, registerImageRoutes } from "../../images/routes.ts";
import type { Skill } from "../skill.ts";

/** Draws the message as a prompt, or with options.edit changes a kept image as it says; answers with the image. */
export const imageSkill: Skill<SkillOptions<"image">> = {
  id: "image",
  options: imageOptions,
  async answer({ request, services, question }, { size, seed, edit }) {
    const source = edit ? await services.images.storeFor(request).get(edit, ownerOf(request)) : undefined;
    if (edit && !source)
      throw new GatewayError(
        400,
        "invalid_request_error",
        `options.edit: ${edit} is not one of your images`,
        "invalid_image",
        "options.edit",
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
    const images = kept.map((k) => ({ id: k.id, url: `/v1/images/${k.id}`, model: k.model, size: k.size, seed: k.seed }));
    return { kind: "media", content: kept[0]?.revisedPrompt ?? "", model: kept[0]?.model ?? null, meta: { skill: "image", images } };
  },
  routes: (app, services) => registerImageRoutes(app, services.images),
};
