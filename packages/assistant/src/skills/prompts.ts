// The instructions behind the translate and writing skills. Models follow plain, specific instructions best.

export const WRITING_TEMPLATES = ["summarise", "rewrite", "email", "outline"] as const;
export type WritingTemplate = (typeof WRITING_TEMPLATES)[number];

const KEEP = "Keep Markdown formatting, code blocks, inline code, URLs, numbers and placeholders such as {name} or %s exactly as they are.";

/** Translate into `target` (a language name or code), detecting the source, with the user's glossary. */
export function translatePrompt(target: string, glossary: Record<string, string> = {}): string {
  const terms = Object.entries(glossary);
  return [
    `You are a translator. Detect the language of the user's text and translate it into ${target}.`,
    KEEP,
    terms.length ? `Use this glossary exactly (source → translation):\n${terms.map(([a, b]) => `- ${a} → ${b}`).join("\n")}` : "",
    "Answer with the translation only: no notes, no quotes around it.",
  ]
    .filter(Boolean)
    .join("\n");
}

const writing: Record<WritingTemplate, string> = {
  summarise: "Summarise the user's text in a few sentences, then list its key points. Write in the text's language.",
  rewrite: "Rewrite the user's text to be clear, correct and natural, keeping its meaning, language and tone. Answer with the rewritten text only.",
  email: "Write an email from the user's notes: a subject line, a greeting, a short body and a closing. Write in the notes' language.",
  outline: "Write a structured outline (headings and bullet points) for the user's topic. Write in the topic's language.",
};

export const writingPrompt = (template: WritingTemplate) => `${writing[template]}\n${KEEP}`;
