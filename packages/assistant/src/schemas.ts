import { z } from "zod";
import { WRITING_TEMPLATES } from "./skills/prompts.ts";

// The request bodies of the conversation API: checked by the routes, described by the OpenAPI document.
export const createBody = z.strictObject({ title: z.string().max(200).optional(), model: z.string().min(1).optional(), agent: z.string().min(1).nullable().optional() });

const skillNames = ["search", "web", "translate", "write", "image", "video"] as const;
export const agentBody = z.strictObject({
  name: z.string().trim().min(1).max(80),
  instructions: z.string().max(8000).default(""),
  model: z.string().min(1).nullable().default(null),
  skills: z.array(z.enum(skillNames)).max(4).default([]),
  starters: z.array(z.string().min(1).max(300)).max(6).default([]),
  /** Offer its search skills to the model as tools it calls itself (the model must support tool calling). */
  toolUse: z.boolean().default(false),
});
export const agentPatch = z.strictObject({
  name: z.string().trim().min(1).max(80).optional(),
  instructions: z.string().max(8000).optional(),
  model: z.string().min(1).nullable().optional(),
  skills: z.array(z.enum(skillNames)).max(4).optional(),
  starters: z.array(z.string().min(1).max(300)).max(6).optional(),
  toolUse: z.boolean().optional(),
});
export const patchBody = z.strictObject({ title: z.string().min(1).max(200).optional(), model: z.string().min(1).optional(), leaf: z.string().min(1).optional() });
export const messageBody = z.strictObject({
  content: z.string().min(1, "write something").max(100_000),
  /** The message this one follows: the current leaf when left out; an earlier user message's parent to edit it. */
  parentId: z.string().min(1).nullable().optional(),
  model: z.string().min(1).optional(),
  /**
   * A skill chosen for this message: "search" answers from the knowledge base, "web" from web search (both cite),
   * "translate" translates the message (options.target, options.glossary), "write" applies a writing template
   * (options.template), "image" draws the message as a prompt (options.size, options.seed), "video" starts a video job from it.
   */
  skill: z.enum(skillNames).optional(),
  /** Documents uploaded with this message (knowledge base ids): the answer is grounded on them and cites them. */
  attachments: z.array(z.string().min(1)).max(10).optional(),
  options: z
    .strictObject({
      target: z.string().min(2).max(40).optional(),
      glossary: z.record(z.string().min(1).max(100), z.string().max(200)).optional(),
      template: z.enum(WRITING_TEMPLATES).optional(),
      size: z.string().regex(/^\d{2,4}x\d{2,4}$/, "use WIDTHxHEIGHT, e.g. 1024x1024").optional(),
      seed: z.number().int().min(0).optional(),
      /** With the image skill: the id of a kept image to change as the message says. */
      edit: z.string().min(1).optional(),
    })
    .optional(),
}).refine((b) => b.skill !== "translate" || !!b.options?.target, { message: "translate needs options.target: the language to translate into", path: ["options", "target"] })
  .refine((b) => b.skill !== "write" || !!b.options?.template, { message: `write needs options.template: ${WRITING_TEMPLATES.join(", ")}`, path: ["options", "template"] });
export const regenerateBody = z.strictObject({ model: z.string().min(1).optional() });
