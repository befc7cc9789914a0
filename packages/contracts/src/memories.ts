// What a person asked the assistant to remember across conversations (/v1/memories), between the server and the
// web app (and any client). Browser-safe: zod only.
import { z } from "zod";

/** The longest memory, in characters. */
export const MAX_MEMORY_CHARS = 500;
/** The most memories one person keeps. */
export const MAX_MEMORIES = 200;

const memoryContent = z
  .string()
  .trim()
  .min(1, "say what to remember")
  .max(MAX_MEMORY_CHARS, `a memory is at most ${MAX_MEMORY_CHARS} characters`);

/** POST /v1/memories and PATCH /v1/memories/:id. */
export const memoryBody = z.strictObject({ content: memoryContent });
export type MemoryBody = z.infer<typeof memoryBody>;

/** PUT /v1/memories/settings: memory off, nothing is used in answers and nothing new is remembered. */
export const memorySettingsBody = z.strictObject({ enabled: z.boolean() });
export type MemorySettingsBody = z.infer<typeof memorySettingsBody>;

export const memoryView = z.object({
  id: z.string(),
  content: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  /** The conversation and message that asked for it to be remembered; null when written in the settings. */
  source_conversation: z.string().nullable(),
  source_message: z.string().nullable(),
});
export type MemoryView = z.infer<typeof memoryView>;

/** GET /v1/memories: the person's memories, newest first, and whether memory is on. */
export const memoryList = z.object({ data: z.array(memoryView), enabled: z.boolean(), limit: z.number().int() });
export type MemoryList = z.infer<typeof memoryList>;

/** GET /v1/memories/export: everything kept, as a JSON download. */
export const memoryExport = z.object({ exported_at: z.number(), enabled: z.boolean(), memories: z.array(memoryView) });
export type MemoryExport = z.infer<typeof memoryExport>;

const memoryRef = z.object({ id: z.string(), content: z.string() });

/**
 * An answer's memory (in its meta): `remembered`, what the question asked to remember and was saved; `forgotten`,
 * the memory a "forget that …" deleted; `notFound`, a "forget that …" matched none; `used`, the memories that went
 * into the model's context; `off`, the question asked to remember while memory is off (nothing was saved); `full`,
 * it asked to remember past the limit, `tooLong`, something longer than a memory holds (nothing was saved).
 */
export const memoryMeta = z.object({
  remembered: memoryRef.optional(),
  forgotten: memoryRef.optional(),
  notFound: z.boolean().optional(),
  used: z.array(memoryRef).optional(),
  off: z.boolean().optional(),
  full: z.boolean().optional(),
  tooLong: z.boolean().optional(),
});
export type MemoryMeta = z.infer<typeof memoryMeta>;
