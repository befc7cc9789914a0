import type { ChatCompletionRequest } from "../openai-wire/request-schema.ts";
import { promptChars } from "../openai-wire/prompt-budget.ts";
import type { PriceTable } from "../pricing.ts";
import type { Target } from "../routing/router.ts";

/** What a request is reserved for when it does not bound its answer (max_tokens / max_completion_tokens). */
export const DEFAULT_MAX_ANSWER_TOKENS = 4_096;
/** A chat template's markers around each message (role, separators). */
const TOKENS_PER_MESSAGE = 4;
/** The most OpenAI's high detail charges for one image (85 + 8 tiles × 170); other providers charge less. */
const TOKENS_PER_IMAGE = 1_445;

/**
 * The most tokens a chat request can use, without a tokenizer: one token per character of its text (English
 * takes about four characters a token, Chinese about one, so this is rarely short), the tools' JSON alike, each
 * message's template markers and images at the highest price, plus the longest answer it allows. Reserving too
 * much only holds budget until the request settles on its real usage.
 */
export function maxTokensOf(req: ChatCompletionRequest, defaultMaxAnswer = DEFAULT_MAX_ANSWER_TOKENS): { prompt: number; answer: number } {
  let images = 0;
  for (const m of req.messages) if (Array.isArray(m.content)) for (const p of m.content) if (p.type !== "text") images++;
  const tools = req.tools?.length ? JSON.stringify(req.tools).length : 0;
  const prompt = promptChars(req) + tools + req.messages.length * TOKENS_PER_MESSAGE + images * TOKENS_PER_IMAGE;
  return { prompt, answer: req.max_completion_tokens ?? req.max_tokens ?? defaultMaxAnswer };
}

/** The most those tokens can cost on any of the targets (an unpriced one counts as free: its cost is unknown). */
export function maxCostOf(prices: PriceTable, targets: readonly Target[], tokens: { prompt: number; answer: number }): number {
  let most = 0;
  for (const t of targets)
    most = Math.max(most, prices.cost(t.provider, t.model, { inputTokens: tokens.prompt, outputTokens: tokens.answer }) ?? 0);
  return most;
}
