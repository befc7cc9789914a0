import type { WritingTemplate } from "@benih/contracts";
import { KEEP_FORMATTING } from "../keep-formatting.ts";

const writing: Record<WritingTemplate, string> = {
  summarise: "Summarise the user's text in a few sentences, then list its key points. Write in the text's language.",
  rewrite:
    "Rewrite the user's text to be clear, correct and natural, keeping its meaning, language and tone. Answer with the rewritten text only.",
  email: "Write an email from the user's notes: a subject line, a greeting, a short body and a closing. Write in the notes' language.",
  outline: "Write a structured outline (headings and bullet points) for the user's topic. Write in the topic's language.",
};

export const writingPrompt = (template: WritingTemplate) => `${writing[template]}\n${KEEP_FORMATTING}`;
