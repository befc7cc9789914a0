import { GatewayError } from "@benih/gateway";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { drawAndKeep, imageBody, type ImageRoutesOptions } from "../images/routes.ts";
import { mcpTool } from "./tool.ts";

const input = z.strictObject({
  prompt: imageBody.shape.prompt.describe("What to draw"),
  size: imageBody.shape.size.describe("WIDTHxHEIGHT in pixels, e.g. 1024x1024"),
});

/**
 * `generate_image`: draws the prompt as POST /v1/images/generations does (the market's allowed image models, its
 * content policy, the caller's image quota), keeps it with their images, and answers with it.
 */
export const generateImage = (request: FastifyRequest, images: ImageRoutesOptions) =>
  mcpTool(
    request,
    {
      name: "generate_image",
      title: "Generate an image",
      description: "Draws an image from a text prompt with the image model benih is configured with; it is kept in the user's images.",
      input,
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    async ({ prompt, size }) => {
      const [image] = await drawAndKeep(request, images, { prompt, n: 1, size, response_format: "b64_json" });
      if (!image) throw new GatewayError(502, "upstream_error", "The image model answered with no image.", "image_generation_failed");
      const url = `${request.protocol}://${request.headers.host}/v1/images/${image.id}`;
      return {
        content: [
          { type: "image", data: image.bytes.toString("base64"), mimeType: image.mime },
          { type: "text", text: `Drawn with ${image.model}; kept in your images at ${url}` },
        ],
      };
    },
  );
