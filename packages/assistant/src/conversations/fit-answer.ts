import type { MessageMeta } from "@benih/contracts";
import { answerRoom, byteCount, neededFor, promptBudget, turnTokens, type ContextWindow } from "../context-budget.ts";
import { citationsOf, extractedAnswer, fitSources, NOTHING_FOUND, quotesSources, sourcesPrompt } from "../knowledge/sources.ts";
import type { HistoryBudget } from "../respond.ts";
import type { ChipAnswer } from "../skills/skill.ts";

/** An answer given without the model: its text and meta (with the notice that says why). */
export interface DirectAnswer {
  content: string;
  meta: MessageMeta;
}

/**
 * How a question is answered: by the model under `system` (its history cut to `budget` tokens where the context is
 * known), falling back to `fallback` if the model still finds the prompt too long, or if its whole answer fails
 * `keepIf`; or `direct`ly, without it.
 */
export type AnswerPlan =
  | {
      kind: "model";
      system: string;
      meta: MessageMeta;
      budget?: HistoryBudget;
      fallback: (refusal?: string) => DirectAnswer;
      keepIf?: (answer: string) => boolean;
    }
  | { kind: "direct"; answer: DirectAnswer };

const joined = (...parts: Array<string | undefined>) => parts.filter(Boolean).join("\n\n");

/** What a prompt needed by the model's own refusal ("the prompt is 413 tokens; … a context of 128"). */
function fromRefusal(refusal: string | undefined): { needed?: number; contextLength?: number } {
  const prompt = Number(/prompt is (?:at least )?(\d+) tokens/.exec(refusal ?? "")?.[1]);
  const context = Number(/context of (\d+)/.exec(refusal ?? "")?.[1]);
  if (!context) return {};
  return { contextLength: context, ...(prompt && { needed: prompt + answerRoom(context) }) };
}

/**
 * The notice (and a sentence for API clients) that the skill needs a model with a larger context, or (`facts`
 * "instructions") one that follows a skill's instructions.
 */
function needsLargerModel(
  model: string,
  meta: MessageMeta,
  facts: { needed?: number; contextLength?: number } | "instructions",
): DirectAnswer {
  const { needed, contextLength } = facts === "instructions" ? {} : facts;
  const content =
    facts === "instructions"
      ? `This needs a larger model than ${model}, which does not follow instructions such as this skill's. Choose a larger model.`
      : `This needs a model with a larger context${needed && contextLength ? `: about ${needed} tokens, and ${model} has ${contextLength}` : ` than ${model} has`}. Choose a larger model, or send a shorter text.`;
  return {
    content,
    meta: {
      ...meta,
      notice: {
        code: "needs_larger_model",
        ...(meta.skill && { skill: meta.skill }),
        ...(facts === "instructions" ? { reason: "instructions" as const } : facts),
      },
    },
  };
}

/**
 * Fits a question's prompt to the model's context (`window`; unknown: as it is). Sources are cut to
 * what fits, leaving room for the answer, and quoted without the model when not even one passage does;
 * instructions that cannot fit with the question are not sent at all: the answer says a larger model is needed.
 */
export function fitAnswer(o: {
  chip: Exclude<ChipAnswer, { kind: "media" }> | undefined;
  instructions: string | undefined;
  question: string;
  model: string;
  window: ContextWindow | undefined;
  /** False for a model that does not follow a skill's instructions (its card says): sources are quoted, other skills refused. */
  followsInstructions?: boolean;
  /** Whether the model is handed the passages (else they are quoted); by default, whether it follows instructions. */
  answersFromSources?: boolean;
}): AnswerPlan {
  const w = o.window;
  const count = w?.count ?? byteCount;
  const budget = w && { tokens: promptBudget(w.length), count };
  // The model's own refusal, when there is one, knows the numbers better than the estimate.
  const needsLarger = (meta: MessageMeta, turns: string[]) => (refusal?: string) =>
    needsLargerModel(o.model, meta, {
      ...(w && { contextLength: w.length, needed: neededFor(w, turns) }),
      ...fromRefusal(refusal),
    });

  if (o.chip?.kind === "sourced") {
    const { hits, meta } = o.chip;
    const extracted = (): DirectAnswer => {
      const { content, citations } = extractedAnswer(hits, o.question);
      return { content, meta: { ...meta, citations, notice: { code: "extracted", ...(meta.skill && { skill: meta.skill }) } } };
    };
    if (!hits.length) {
      // Nothing found: the model answers from what it knows, told so; a model too small to be told is not asked
      // (it would answer as if the sources had said it), the answer says nothing matched.
      const system = joined(o.instructions, NOTHING_FOUND);
      const m = { ...meta, citations: [] };
      const nothing = (): DirectAnswer => ({
        content: "Nothing in the sources matches this question.",
        meta: { ...m, notice: { code: "nothing_found", ...(meta.skill && { skill: meta.skill }) } },
      });
      if (o.followsInstructions === false || (w && neededFor(w, [system, o.question]) > w.length))
        return { kind: "direct", answer: nothing() };
      return { kind: "model", system, meta: m, ...(budget && { budget }), fallback: nothing };
    }
    // A model that follows no instructions but the sources' gets those alone: the prompt it was trained on.
    const instructions = o.followsInstructions === false ? undefined : o.instructions;
    const room = budget
      ? budget.tokens - turnTokens(o.question, count) - turnTokens("", count) - (instructions ? count(`${instructions}\n\n`) : 0)
      : Number.POSITIVE_INFINITY;
    const fitted = (o.answersFromSources ?? o.followsInstructions) === false ? [] : fitSources(hits, room, o.question, count);
    if (!fitted.length) return { kind: "direct", answer: extracted() };
    const citations = citationsOf(fitted);
    return {
      kind: "model",
      system: joined(instructions, sourcesPrompt(citations, fitted)),
      meta: { ...meta, citations },
      ...(budget && { budget }),
      fallback: extracted,
      // A model that follows no other instructions knows one answer form: a passage's sentence cited [n]. When its
      // answer is not one ("the sources do not say", a value the passage does not give), the passages quoted tell the
      // person more.
      ...(o.followsInstructions === false && { keepIf: (answer: string) => quotesSources(answer, fitted) }),
    };
  }

  const system = joined(o.instructions, o.chip?.system);
  const meta = o.chip?.meta ?? {};
  const turns = system ? [system, o.question] : [o.question];
  if (system && o.chip && o.followsInstructions === false)
    return { kind: "direct", answer: needsLargerModel(o.model, meta, "instructions") };
  // A plain question goes to the model as it is: only the model knows whether it fits.
  if (w && system && neededFor(w, turns) > w.length) return { kind: "direct", answer: needsLarger(meta, turns)() };
  return { kind: "model", system, meta, ...(budget && { budget }), fallback: needsLarger(meta, turns) };
}
