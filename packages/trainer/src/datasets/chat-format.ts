import type { BpeTokenizer } from "../tokenizer/bpe.ts";
import type { Example } from "./build.ts";

/** The ChatML prompt up to where the assistant's answer starts: what a chat client sends at inference. */
export const chatPrompt = (question: string) => `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`;
export const chatAnswer = (answer: string) => `${answer}<|im_end|>\n`;

/**
 * One token stream for training: each example's prompt then answer, encoded separately (as at inference, where
 * generation starts after the prompt), with a loss weight per token: `promptWeight` for the prompt, 1 for the
 * answer and its end token.
 */
export function tokenStream(
  examples: Example[],
  tokenizer: BpeTokenizer,
  promptWeight: number,
): { tokens: Int32Array; weights: Float32Array } {
  const tokens: number[] = [];
  const weights: number[] = [];
  for (const ex of examples) {
    for (const t of tokenizer.encode(chatPrompt(ex.question))) {
      tokens.push(t);
      weights.push(promptWeight);
    }
    for (const t of tokenizer.encode(chatAnswer(ex.answer))) {
      tokens.push(t);
      weights.push(1);
    }
  }
  return { tokens: Int32Array.from(tokens), weights: Float32Array.from(weights) };
}
