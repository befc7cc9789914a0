import { GatewayError, refuseBlocked } from "@benih/gateway";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { callerOf } from "../caller.ts";
import type { ModelClient } from "../model-client.ts";
import { translateDocument } from "../skills/translate/document.ts";
import { mcpTool } from "./tool.ts";

/** As much as one message to the translate chip may hold; a longer text is a document (POST /v1/translate/documents). */
export const MAX_TRANSLATE_CHARS = 100_000;

const input = z.strictObject({
  text: z
    .string()
    .min(1, "give the text to translate")
    .max(MAX_TRANSLATE_CHARS, `at most ${MAX_TRANSLATE_CHARS} characters; translate a longer document with POST /v1/translate/documents`)
    .describe("The text to translate"),
  target_language: z.string().trim().min(2).max(40).describe("The language to translate into: a name or code, e.g. English, id, zh-CN"),
  glossary: z
    .record(z.string().min(1).max(100), z.string().max(200))
    .optional()
    .describe("Terms to translate exactly so: source term → translation"),
});

export interface TranslateToolOptions {
  client: ModelClient;
  defaultModel(request: FastifyRequest): Promise<string | undefined>;
}

/**
 * `translate`: the text into the target language with the translate skill's prompt and the market's default chat
 * model, called as the caller (so the gateway applies their key, market and quotas), piece by piece when long.
 */
export const translate = (request: FastifyRequest, o: TranslateToolOptions) =>
  mcpTool(
    request,
    {
      name: "translate",
      title: "Translate",
      description:
        "Translates text into another language, detecting its language, keeping its formatting and using the glossary's terms exactly.",
      input,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ text, target_language, glossary }, signal) => {
      const model = await o.defaultModel(request);
      if (!model) throw new GatewayError(400, "invalid_request_error", "This market offers no chat model to translate with.", "no_model");
      // Refused before any work, and said so: the gateway would answer the market's refusal as if it were the translation.
      refuseBlocked(request, [text, ...Object.entries(glossary ?? {}).flat()].join("\n"), model);
      const translation = await translateDocument({
        client: o.client,
        model,
        caller: callerOf(request),
        text,
        target: target_language,
        ...(glossary && { glossary }),
        signal,
        onProgress: () => {},
      });
      return { content: [{ type: "text", text: translation }] };
    },
  );
