import { z } from "zod";

// The request bodies of the conversation API: checked by the routes, described by the OpenAPI document.
export const createBody = z.strictObject({ title: z.string().max(200).optional(), model: z.string().min(1).optional(), agent: z.string().min(1).nullable().optional() });
export const patchBody = z.strictObject({ title: z.string().min(1).max(200).optional(), model: z.string().min(1).optional(), leaf: z.string().min(1).optional() });
export const messageBody = z.strictObject({
  content: z.string().min(1, "write something").max(100_000),
  /** The message this one follows: the current leaf when left out; an earlier user message's parent to edit it. */
  parentId: z.string().min(1).nullable().optional(),
  model: z.string().min(1).optional(),
  /** A skill chosen for this message: "search" answers from the knowledge base, "web" from web search; both cite. */
  skill: z.enum(["search", "web"]).optional(),
});
export const regenerateBody = z.strictObject({ model: z.string().min(1).optional() });
