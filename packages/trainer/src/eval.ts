import type { Example } from "./datasets/build.ts";
import type { Lang } from "./datasets/facts.ts";
import { assistantTurns, chatSegments } from "./datasets/chat-format.ts";
import type { StepModel } from "./model/model.ts";
import type { BpeTokenizer } from "./tokenizer/bpe.ts";

export interface ScoreLine {
  lang: Lang | string;
  total: number;
  exact: number;
  contains: number;
}

/** Removes the closing full stop an answer ends with, for contains-match. */
const core = (answer: string) => answer.replace(/[.。]$/, "").trim();

/** Called after each unit of work, with how many are done of how many. */
export type Progress = (done: number, total: number) => void;

/**
 * Exact-match and contains-match per language. `generate` answers one question (greedy, as served); exact means
 * the answer equals the expected one, contains that the expected value appears in it.
 */
export async function scoreAnswers(
  examples: Example[],
  generate: (question: string) => Promise<string>,
  onProgress?: Progress,
): Promise<ScoreLine[]> {
  const byLang = new Map<string, ScoreLine>();
  for (const [i, ex] of examples.entries()) {
    const line = byLang.get(ex.lang) ?? { lang: ex.lang, total: 0, exact: 0, contains: 0 };
    byLang.set(ex.lang, line);
    const got = (await generate(ex.question)).trim();
    line.total++;
    if (got === ex.answer) line.exact++;
    if (got.includes(core(ex.answer))) line.contains++;
    onProgress?.(i + 1, examples.length);
  }
  return [...byLang.values()];
}

/** Exact match per language and kind; for tool examples also how often the first turn was the expected call. */
export interface KindScore {
  lang: Lang | string;
  kind: string;
  total: number;
  /** Every assistant turn exactly as expected (for tool examples: the call, then the answer). */
  exact: number;
  contains: number;
  /** Tool examples only: the first assistant turn was exactly the expected tool-call line(s). */
  calls?: number;
}

/**
 * Scores whole conversations: `complete` continues a ChatML text from an assistant header and returns what the
 * model writes up to its end token (greedy, as served). Each assistant turn is asked with the expected turns
 * before it, so a tool example's answer is scored after the expected tool result, whatever the model called.
 */
export async function scoreByKind(
  examples: Example[],
  complete: (prompt: string) => Promise<string>,
  onProgress?: Progress,
): Promise<KindScore[]> {
  const lines = new Map<string, KindScore>();
  for (const [i, ex] of examples.entries()) {
    const key = `${ex.lang}/${ex.kind}`;
    const line = lines.get(key) ?? { lang: ex.lang, kind: ex.kind, total: 0, exact: 0, contains: 0, ...(ex.turns?.length && { calls: 0 }) };
    lines.set(key, line);
    const turns = assistantTurns(ex);
    const got = await Promise.all(turns.map(async (t) => (await complete(t.prompt)).trim()));
    const final = got.at(-1)!;
    line.total++;
    if (got.every((g, j) => g === turns[j]!.expected)) line.exact++;
    if (final.includes(core(ex.answer))) line.contains++;
    if (ex.turns?.length && got[0] === turns[0]!.expected) line.calls = (line.calls ?? 0) + 1;
    onProgress?.(i + 1, examples.length);
  }
  return [...lines.values()].sort((a, b) => `${a.lang}/${a.kind}`.localeCompare(`${b.lang}/${b.kind}`));
}

/**
 * Perplexity of the answers (prompt tokens weigh 0) under the model, over examples packed into the model's
 * batch windows; what remains of the last window is padded and masked.
 */
export function answerPerplexity(model: StepModel, tokenizer: BpeTokenizer, examples: Example[], onProgress?: Progress): number {
  const N = model.B * model.T;
  const stream: number[] = [];
  const weights: number[] = [];
  for (const ex of examples) {
    for (const s of chatSegments(ex)) for (const t of tokenizer.encode(s.text)) stream.push(t), weights.push(s.target ? 1 : 0);
  }
  let nll = 0;
  let count = 0;
  for (let start = 0; start + 1 < stream.length; start += N) {
    const tokens = new Int32Array(N);
    const targets = new Int32Array(N);
    const w = new Float32Array(N);
    for (let i = 0; i < N && start + i + 1 < stream.length; i++) {
      tokens[i] = stream[start + i]!;
      targets[i] = stream[start + i + 1]!;
      w[i] = weights[start + i + 1]!;
    }
    const total = w.reduce((a, b) => a + b, 0);
    if (!total) continue;
    nll += model.forward(tokens, targets, w) * total;
    count += total;
    onProgress?.(Math.min(start + N, stream.length - 1), stream.length - 1);
  }
  return Math.exp(nll / count);
}
