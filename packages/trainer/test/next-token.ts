import type { LlamaContext } from "node-llama-cpp";

/** llama.cpp's full next-token distribution after `tokens` (temperature 1, no sampling cut-offs). */
export async function nextTokenProbabilities(context: LlamaContext, tokens: number[]): Promise<Map<number, number>> {
  const sequence = context.getSequence();
  try {
    const input = tokens.map((t, i) =>
      i === tokens.length - 1
        ? ([t, { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } }] as const)
        : t,
    );
    const out = await sequence.controlledEvaluate(input as never);
    return out.at(-1)!.next.probabilities!;
  } finally {
    sequence.dispose();
  }
}
