import type { Transcript } from "../provider.ts";

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

function clock(ms: number, decimal: "," | "."): string {
  const t = Math.max(0, Math.round(ms));
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}${decimal}${pad(t % 1000, 3)}`;
}

/** The transcript as OpenAI's `response_format` asks: json, text, verbose_json, srt or vtt. */
export function transcriptAs(format: string, sentences: readonly Sentence[], seconds: number, language?: string): Transcript {
  const text = joined(sentences);
  const said = sentences.filter((s) => s.text.trim());
  switch (format) {
    case "text":
      return { contentType: "text/plain; charset=utf-8", body: `${text}\n`, text };
    case "srt":
      return {
        contentType: "text/plain; charset=utf-8",
        body: said.map((s, i) => `${i + 1}\n${clock(s.begin_time, ",")} --> ${clock(s.end_time, ",")}\n${s.text.trim()}\n`).join("\n"),
        text,
      };
    case "vtt":
      return {
        contentType: "text/vtt; charset=utf-8",
        body: `WEBVTT\n\n${said.map((s) => `${clock(s.begin_time, ".")} --> ${clock(s.end_time, ".")}\n${s.text.trim()}\n`).join("\n")}`,
        text,
      };
    case "verbose_json":
      return {
        contentType: "application/json",
        body: JSON.stringify({
          task: "transcribe",
          ...(language && { language }),
          duration: Math.round(seconds * 1000) / 1000,
          text,
          segments: said.map((s, id) => ({ id, start: s.begin_time / 1000, end: s.end_time / 1000, text: s.text.trim() })),
        }),
        text,
      };
    default:
      return { contentType: "application/json", body: JSON.stringify({ text }), text };
  }
}
