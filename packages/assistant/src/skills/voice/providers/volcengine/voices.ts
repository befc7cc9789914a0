import { isOpenAiVoice, type OPENAI_VOICES } from "../../voices.ts";

type OpenAiVoice = (typeof OPENAI_VOICES)[number];

/**
 * Doubao's speech synthesis model 1.0 voices (its voice list, "豆包语音合成模型1.0"), which the `volcano_tts` cluster
 * speaks over the HTTP API: one Mandarin and one English voice for each OpenAI name, of the same gender. The
 * Mandarin voices read English too, but an English voice reads English better.
 */
const VOICES: Record<OpenAiVoice, { zh: string; en: string }> = {
  alloy: { zh: "zh_male_yangguangqingnian_moon_bigtts", en: "en_male_adam_mars_bigtts" },
  ash: { zh: "zh_male_wennuanahu_moon_bigtts", en: "en_male_smith_mars_bigtts" },
  ballad: { zh: "zh_male_yuanboxiaoshu_moon_bigtts", en: "en_male_dryw_mars_bigtts" },
  coral: { zh: "zh_female_shuangkuaisisi_moon_bigtts", en: "en_female_sarah_mars_bigtts" },
  echo: { zh: "zh_male_shaonianzixin_moon_bigtts", en: "en_male_adam_mars_bigtts" },
  fable: { zh: "zh_male_yuanboxiaoshu_moon_bigtts", en: "en_male_smith_mars_bigtts" },
  nova: { zh: "zh_female_cancan_mars_bigtts", en: "en_female_amanda_mars_bigtts" },
  onyx: { zh: "zh_male_wennuanahu_moon_bigtts", en: "en_male_dryw_mars_bigtts" },
  sage: { zh: "zh_female_qingxinnvsheng_mars_bigtts", en: "en_female_anna_mars_bigtts" },
  shimmer: { zh: "zh_female_linjianvhai_moon_bigtts", en: "en_female_sarah_mars_bigtts" },
  verse: { zh: "zh_male_shaonianzixin_moon_bigtts", en: "en_male_smith_mars_bigtts" },
};

/**
 * The `voice_type` for a request's voice: an OpenAI name becomes a Mandarin voice for text written in Han
 * characters and an English one otherwise; any other name is taken as Volcano's own voice_type.
 */
export function volcanoVoice(voice: string, text: string): string {
  if (!isOpenAiVoice(voice)) return voice;
  return /\p{Script=Han}/u.test(text) ? VOICES[voice].zh : VOICES[voice].en;
}
