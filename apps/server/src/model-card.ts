import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

/**
 * What a local model's card (the Markdown file next to its GGUF: models/<id>.md) tells clients, in YAML front
 * matter:
 *
 *   ---
 *   language: [zh]
 *   examples:
 *     - { language: zh, text: 日本的首都是哪里？, answer: 东京 }
 *   ---
 *
 * `answer` is what the model answers (tests ask every example and check it); clients get the questions only.
 * `temperature` is how the model is sampled when a request does not say. `followsInstructions: false` says the
 * model does not follow a skill's instructions (answering from passages handed to it, translating, rewriting):
 * document questions are then answered by quoting the passages' matching sentences, cited, and other skills'
 * prompts with a notice that a larger model is needed, instead of asking it. `answersFromSources: true` makes the
 * search skill's prompt the exception: a model trained on it (numbered passages, an answer quoting one, cited [n])
 * answers questions on the knowledge base itself.
 */
const frontMatter = z.strictObject({
  followsInstructions: z.boolean().default(true),
  answersFromSources: z.boolean().optional(),
  /** The sampling temperature a request that names none gets (a benih.yaml model's own defaultTemperature comes first). */
  temperature: z.number().min(0).max(2).optional(),
  language: z.array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, "use language codes such as zh, en, id")).min(1),
  examples: z
    .array(z.strictObject({ language: z.string().min(2), text: z.string().trim().min(1).max(300), answer: z.string().min(1) }))
    .default([]),
});
export type ModelCard = z.infer<typeof frontMatter>;

/** The card's front matter; undefined when the card has none (a card is optional). Throws saying what is wrong. */
export function parseModelCard(markdown: string): ModelCard | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(markdown);
  if (!m) return undefined;
  const r = frontMatter.safeParse(parse(m[1]!));
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${issue.path.join(".") || "front matter"}: ${issue.message}`);
  }
  const unknown = r.data.examples.find((e) => !r.data.language.includes(e.language));
  if (unknown) throw new Error(`examples: "${unknown.text}" is in ${unknown.language}, which language does not list`);
  return r.data;
}

/** The card of the GGUF file at `ggufPath` (same name, .md), or undefined when there is none. Throws when it is broken. */
export function readModelCard(ggufPath: string): ModelCard | undefined {
  const path = ggufPath.replace(/\.gguf$/i, ".md");
  return existsSync(path) ? parseModelCard(readFileSync(path, "utf8")) : undefined;
}

/** The card's facts as the model list shows them: its languages, and its example questions by language. */
export function cardFacts(card: ModelCard): { languages: string[]; examples: Record<string, string[]> } {
  const examples: Record<string, string[]> = {};
  for (const e of card.examples) (examples[e.language] ??= []).push(e.text);
  return { languages: card.language, examples };
}
