import { writeOptions, type SkillOptions } from "@benih/contracts";
import type { Skill } from "../skill.ts";
import { writingPrompt } from "./prompt.ts";

/** Applies a writing template (summarise, rewrite, email, outline) to the message. */
export const writeSkill: Skill<SkillOptions<"write">> = {
  id: "write",
  options: writeOptions,
  answer: async (_, { template }) => ({ kind: "grounded", system: writingPrompt(template), meta: { skill: "write" } }),
};
