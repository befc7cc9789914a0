import type { MemoryMeta } from "@benih/contracts";
import { byteCount, neededFor, turnTokens, type ContextWindow } from "../context-budget.ts";
import type { AnswerPlan, DirectAnswer } from "../conversations/fit-answer.ts";
import type { ChipAnswer } from "../skills/skill.ts";
import type { MemoryRecall } from "./recall.ts";

/** The share of a model's context memories may take. */
const CONTEXT_SHARE = 0.1;
/** Tokens memories may take when the model's context is not known (a tenth of a 20,000-token one). */
const UNKNOWN_CONTEXT_TOKENS = 2000;

export const MEMORY_HEADING = "## What the user asked you to remember";
const INTRO =
  'In earlier conversations the user asked you to remember these (in their words; "I" is the user). Use them where they matter; do not list them otherwise.';

const joined = (...parts: Array<string | undefined>) => parts.filter(Boolean).join("\n\n");

/**
 * Tokens the memory block may take: a tenth of the context, and never so much that a prompt which fits without it
 * stops fitting (fit-answer then answers without the model). It joins the system message, or becomes one.
 */
function room(w: ContextWindow | undefined, system: string, question: string): number {
  if (!w) return UNKNOWN_CONTEXT_TOKENS;
  const left = w.length - neededFor(w, system ? [system, question] : [question]);
  const joining = system ? w.count("\n\n") : turnTokens("", w.count);
  return Math.max(0, Math.min(Math.floor(w.length * CONTEXT_SHARE), left - joining));
}

/**
 * The instructions with the memory block after them (the notes on what was just remembered or forgotten, then as
 * many of the ranked memories as fit the room), and the answer's memory meta with the memories used.
 */
export function fitMemories(
  recall: MemoryRecall | undefined,
  o: { instructions: string | undefined; chip: ChipAnswer | undefined; question: string; window: ContextWindow | undefined },
): { instructions: string | undefined; meta: MemoryMeta | undefined } {
  if (!recall) return { instructions: o.instructions, meta: undefined };
  const meta = { ...recall.meta };
  if (o.chip?.kind === "media") return { instructions: o.instructions, meta: Object.keys(meta).length ? meta : undefined };
  // Sources are fitted to what the instructions leave, so only the question and the instructions come first.
  const system = joined(o.instructions, o.chip?.kind === "grounded" ? o.chip.system : undefined);
  const limit = room(o.window, system, o.question);
  const count = o.window?.count ?? byteCount;
  let block = "";
  const used: Array<{ id: string; content: string }> = [];
  for (const note of recall.notes) {
    const next = joined(block, note);
    if (count(next) <= limit) block = next;
  }
  let list = "";
  for (const m of recall.ranked) {
    const line = `- ${m.content.replace(/\s+/g, " ")}`;
    const next = joined(block, MEMORY_HEADING, INTRO, list ? `${list}\n${line}` : line);
    if (count(next) > limit) continue;
    list = list ? `${list}\n${line}` : line;
    used.push({ id: m.id, content: m.content });
  }
  if (used.length) meta.used = used;
  const memory = list ? joined(block, MEMORY_HEADING, INTRO, list) : block;
  return { instructions: joined(o.instructions, memory) || undefined, meta: Object.keys(meta).length ? meta : undefined };
}

/** The memory meta of an answer given without the model: none of the memories was used. */
function unused(memory: MemoryMeta): MemoryMeta | undefined {
  const { used: _, ...rest } = memory;
  return Object.keys(rest).length ? rest : undefined;
}

/** The plan with the memory meta on its answer, whichever way it is given (the model's, a fallback's, a direct one). */
export function withMemoryMeta<P extends AnswerPlan>(plan: P, memory: MemoryMeta | undefined): P {
  if (!memory) return plan;
  const direct = (a: DirectAnswer): DirectAnswer => {
    const m = unused(memory);
    return m ? { ...a, meta: { ...a.meta, memory: m } } : a;
  };
  if (plan.kind === "direct") return { ...plan, answer: direct(plan.answer) };
  const p = plan as Extract<AnswerPlan, { kind: "model" }>;
  return { ...plan, meta: { ...p.meta, memory }, fallback: (refusal?: string) => direct(p.fallback(refusal)) };
}
