import type { Transcript } from "../provider.ts";
import { formatTranscript } from "../transcript-formats.ts";

/** A finished sentence of Paraformer's `result-generated` events: times in milliseconds. */
export interface Sentence {
  begin_time: number;
  end_time: number;
  text: string;
}

const cjk = /[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]/u;

/** Sentences as one text: a space between them, except where both sides are Chinese, Japanese or Korean. */
export function joined(sentences: readonly Sentence[]): string {
  let text = "";
  for (const s of sentences) {
    const t = s.text.trim();
    if (!t) continue;
    text += text && !(cjk.test(text.at(-1)!) && cjk.test(t[0]!)) ? ` ${t}` : t;
  }
  return text;
}

/** The transcript as OpenAI's `response_format` asks: json, text, verbose_json, srt or vtt. */
export function transcriptAs(format: string, sentences: readonly Sentence[], seconds: number, language?: string): Transcript {
  const segments = sentences
    .filter((s) => s.text.trim())
    .map((s) => ({ start: s.begin_time / 1000, end: s.end_time / 1000, text: s.text.trim() }));
  return formatTranscript(format, { text: joined(sentences), segments, duration: seconds, language });
}
