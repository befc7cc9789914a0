/** OpenAI's voice names: what clients send. Each maps to an espeak-ng voice variant for the offline model. */
export const OPENAI_VOICES = ["alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse"] as const;

const variants: Record<(typeof OPENAI_VOICES)[number], string> = {
  alloy: "m3",
  ash: "m1",
  ballad: "f2",
  coral: "f3",
  echo: "m2",
  fable: "m4",
  nova: "f1",
  onyx: "m7",
  sage: "f4",
  shimmer: "f5",
  verse: "m5",
};

/** espeak-ng's voice for a language (a BCP 47 tag or its first part): zh speaks Mandarin, unknown ones English. */
const byLanguage: Record<string, string> = { zh: "cmn", cmn: "cmn", en: "en-us", id: "id", ms: "ms" };

export const isOpenAiVoice = (v: string): v is (typeof OPENAI_VOICES)[number] => (OPENAI_VOICES as readonly string[]).includes(v);

/** The espeak-ng `-v` argument for a voice in a language, e.g. `cmn+f1`. */
export function espeakVoice(language: string, voice: (typeof OPENAI_VOICES)[number]): string {
  const base = byLanguage[language.toLowerCase()] ?? byLanguage[language.toLowerCase().split("-")[0]!] ?? "en-us";
  return `${base}+${variants[voice]}`;
}
