import { translateOptions, type SkillOptions } from "@benih/contracts";
import type { Skill } from "../skill.ts";
import { translatePrompt } from "./prompt.ts";

/** Translates the message into options.target, keeping its formatting and the glossary's terms. */
export const translateSkill: Skill<SkillOptions<"translate">> = {
  id: "translate",
  options: translateOptions,
  answer: async (_, { target, glossary }) => ({
    kind: "grounded",
    system: translatePrompt(target, glossary),
    meta: { skill: "translate" },
  }),
};
