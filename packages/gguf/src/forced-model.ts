import { bytesToUnicode } from "./byte-level-bpe.ts";
import { byteLevelTokenizer, llamaToGguf, randomLlamaWeights, type LlamaConfig } from "./llama.ts";

/**
 * A model that answers `answer` to every prompt ending in a line break (as a chat prompt does, after
 * "<|im_start|>assistant\n"), then ends its turn: for tests of what a server does with a given answer (a tool call)
 * through the real llama.cpp. `answer` is one token of its vocabulary, built by a chain of merges; the layers add
 * nothing to the residual stream, so each token alone decides the next: a line break is followed by `answer`, and
 * `answer` by <|im_end|>, by a margin no temperature undoes.
 */
export function writeForcedModel(answer: string, chatTemplate?: string): Uint8Array {
  const unicode = bytesToUnicode();
  const pieces = [...Buffer.from(answer)].map((b) => unicode[b]!);
  const merges = pieces.slice(1).map((p, i) => `${pieces.slice(0, i + 1).join("")} ${p}`);
  const tokenizer = byteLevelTokenizer(merges);
  const config: LlamaConfig = { dim: 64, layers: 1, heads: 4, kvHeads: 2, ff: 128, contextLength: 512, vocab: tokenizer.tokens.length };
  const weights = randomLlamaWeights(config, 1);
  for (const layer of weights.layers) {
    layer.wo.fill(0);
    layer.down.fill(0);
  }
  const row = (m: Float32Array, token: number) => m.subarray(token * config.dim, (token + 1) * config.dim);
  const lineBreak = tokenizer.tokens.indexOf(unicode[0x0a]!);
  const whole = tokenizer.tokens.indexOf(pieces.join(""));
  // After the final norm a token's embedding e_k is √dim·e_k, so each output row below scores 80 against it.
  row(weights.tokenEmbedding, lineBreak).fill(0)[0] = 1;
  row(weights.tokenEmbedding, whole).fill(0)[1] = 1;
  const output = new Float32Array(config.vocab * config.dim);
  row(output, whole)[0] = 10;
  row(output, tokenizer.eosId)[1] = 10;
  weights.output = output;
  return llamaToGguf({ name: "benih-forced", config, weights, tokenizer, ...(chatTemplate !== undefined && { chatTemplate }) });
}
