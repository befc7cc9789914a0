// The skills a message can ask for, and the options each takes, as the composer collects them.

import { SKILL_IDS, type SkillId as Skill, type SkillOptions, WRITING_TEMPLATES, type WritingTemplate } from "@benih/contracts";

export const SKILLS = SKILL_IDS;
export const TEMPLATES = WRITING_TEMPLATES;

export type { Skill };
export const isSkill = (s: string | undefined): s is Skill => (SKILLS as readonly (string | undefined)[]).includes(s);

export const SIZES = ["1024x1024", "1024x1536", "1536x1024", "512x512"];
/** Languages to translate into: the name the model is asked for (English), and the code the UI names it by. */
export const TARGETS = [
  { name: "English", code: "en" },
  { name: "Chinese (Simplified)", code: "zh-Hans" },
  { name: "Indonesian", code: "id" },
  { name: "Malay", code: "ms" },
  { name: "Japanese", code: "ja" },
  { name: "Korean", code: "ko" },
  { name: "Thai", code: "th" },
  { name: "Vietnamese", code: "vi" },
  { name: "Arabic", code: "ar" },
  { name: "Spanish", code: "es" },
  { name: "French", code: "fr" },
  { name: "German", code: "de" },
];

/** The options as typed: text fields, turned into a request's options when the message goes. */
export interface OptionFields {
  target: string;
  template: WritingTemplate;
  glossary: string;
  size: string;
  seed: string;
}
export const defaultOptions: OptionFields = { target: "English", template: "summarise", glossary: "", size: "1024x1024", seed: "" };

/** "term = translation" lines as a glossary; other lines are left out. */
export const glossaryOf = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split("\n")
      .map((l) => l.split("=").map((x) => x.trim()))
      .filter((p): p is [string, string] => p.length === 2 && !!p[0] && !!p[1]),
  );

/** The options a message with this skill sends; `changing` is the drawn image an image message edits. */
export function optionsFor(skill: Skill | null, fields: OptionFields, changing: string | null): SkillOptions | undefined {
  if (skill === "translate") {
    const glossary = glossaryOf(fields.glossary);
    return { target: fields.target, ...(Object.keys(glossary).length && { glossary }) };
  }
  if (skill === "write") return { template: fields.template };
  if (skill === "image")
    return { size: fields.size, ...(/^\d+$/.test(fields.seed) && { seed: Number(fields.seed) }), ...(changing && { edit: changing }) };
  return undefined;
}
