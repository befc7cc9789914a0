import { KEEP_FORMATTING } from "../keep-formatting.ts";

// Models follow plain, specific instructions best.

/** Translate into `target` (a language name or code), detecting the source, with the user's glossary. */
export function translatePrompt(target: string, glossary: Record<string, string> = {}): string {
  const terms = Object.entries(glossary);
  return [
    `You are a translator. Detect the language of the user's text and translate it into ${target}.`,
    KEEP_FORMATTING,
    terms.length ? `Use this glossary exactly (source → translation):\n${terms.map(([a, b]) => `- ${a} → ${b}`).join("\n")}` : "",
    "Answer with the translation only: no notes, no quotes around it.",
  ]
    .filter(Boolean)
    .join("\n");
}
