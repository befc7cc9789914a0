import { isOpenAiVoice, type OPENAI_VOICES } from "../../voices.ts";

/**
 * OpenAI's voice names as CosyVoice's system voices (cosyvoice-v1's list; cosyvoice-v2 has the same voices with a
 * `_v2` suffix). Any other name is taken as the provider's own voice id (a system voice, or a cloned one).
 */
const COSYVOICE: Record<(typeof OPENAI_VOICES)[number], string> = {
  alloy: "longxiaochun",
  nova: "longwan",
  shimmer: "longxiaoxia",
  coral: "longyue",
  sage: "longjing",
  ballad: "longshu",
  echo: "longcheng",
  onyx: "longshuo",
  fable: "longxiaocheng",
  ash: "longfei",
  verse: "longxiang",
};

/** The voice of the v3 models' documented example: their voice list differs from v1/v2's. */
const V3_DEFAULT = "longanyang";

export function cosyVoice(model: string, voice: string): string {
  if (!isOpenAiVoice(voice)) return voice;
  if (/^cosyvoice-v1\b/.test(model)) return COSYVOICE[voice];
  if (/^cosyvoice-v2\b/.test(model)) return `${COSYVOICE[voice]}_v2`;
  return V3_DEFAULT;
}
