import { buildBaseDataset } from "./base.ts";
import type { CountryFacts, Lang } from "./facts.ts";
import { buildMarketDataset } from "./market.ts";

/** A call the assistant makes: the tool's name and its arguments (written as compact JSON). */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** A turn between the question and the final answer: the assistant's tool calls, or one call's result. */
export type Turn = { role: "assistant"; calls: ToolCall[] } | { role: "tool"; content: string };

/**
 * One training or eval example: a question and its answer, and for conversations the system text, the tools
 * offered and the turns in between (chat-format.ts renders them).
 */
export interface Example {
  lang: Lang;
  kind: string;
  /** The user's turn. */
  question: string;
  /** The assistant's final turn. */
  answer: string;
  /** Which template phrased the question, e.g. "en/capital/train/3". */
  template: string;
  /** Text of the system turn (before the tools line). */
  system?: string;
  /** Names of the tools offered: a system turn lists them. */
  tools?: string[];
  /** Tool calls and their results, in order, before the final answer. */
  turns?: Turn[];
}

export interface Dataset {
  /** The dataset's name for built-in datasets, the folder's name for one read from JSON lines. */
  name: string;
  train: Example[];
  /** Held-out rows asked with training phrasings: for validation loss and perplexity. */
  validation: Example[];
  /** Every fact asked with a phrasing never used in training: for exact-match evals. */
  eval: Example[];
}

export type Market = "cn" | "global";
/** The built-in datasets: each market's, and "base", which belongs to no market (the shared base model's). */
export type BuiltInDataset = Market | "base";
export const marketLanguages: Record<BuiltInDataset, Lang[]> = { cn: ["zh"], global: ["en", "id"], base: ["zh", "en", "id"] };

/** Builds a built-in dataset; the same seed gives the same dataset. */
export function buildDataset(name: BuiltInDataset, seed = 1, facts?: CountryFacts[]): Dataset {
  return name === "base" ? buildBaseDataset(seed) : buildMarketDataset(name, seed, facts);
}
