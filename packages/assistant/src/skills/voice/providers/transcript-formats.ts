import type { Transcript } from "./provider.ts";

/** A stretch of speech, in seconds from the recording's start. */
export interface Segment {
  start: number;
  end: number;
  text: string;
}

/** `hh:mm:ss,mmm` (SRT) or `hh:mm:ss.mmm` (WebVTT). */
function clock(seconds: number, separator: "," | "."): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

const plain = (body: string, text: string, contentType = "text/plain; charset=utf-8"): Transcript => ({ contentType, body, text });

/**
 * A transcript in OpenAI's `response_format`, from the words and their segments, for providers whose own answer is
 * another shape: json `{ text }`, text, srt, vtt, or verbose_json (task, language, duration, text, segments).
 */
export function formatTranscript(
  format: string,
  t: { text: string; segments: readonly Segment[]; duration: number; language?: string | undefined },
): Transcript {
  switch (format) {
    case "text":
      return plain(`${t.text}\n`, t.text);
    case "srt":
      return plain(t.segments.map((s, i) => `${i + 1}\n${clock(s.start, ",")} --> ${clock(s.end, ",")}\n${s.text}\n`).join("\n"), t.text);
    case "vtt":
      return plain(
        `WEBVTT\n\n${t.segments.map((s) => `${clock(s.start, ".")} --> ${clock(s.end, ".")}\n${s.text}\n`).join("\n")}`,
        t.text,
        "text/vtt; charset=utf-8",
      );
    case "verbose_json":
      return {
        contentType: "application/json",
        body: JSON.stringify({
          task: "transcribe",
          ...(t.language && { language: t.language }),
          duration: Math.round(t.duration * 1000) / 1000,
          text: t.text,
          segments: t.segments.map((s, id) => ({ id, start: s.start, end: s.end, text: s.text })),
        }),
        text: t.text,
      };
    default:
      return { contentType: "application/json", body: JSON.stringify({ text: t.text }), text: t.text };
  }
}

/** A transcript's words: `text` of a JSON answer, else the answer itself (text, SRT, VTT). */
export function transcriptText(contentType: string, body: string): string {
  if (!contentType.includes("json")) return body;
  try {
    return String((JSON.parse(body) as { text?: unknown }).text ?? "");
  } catch {
    return body;
  }
}
