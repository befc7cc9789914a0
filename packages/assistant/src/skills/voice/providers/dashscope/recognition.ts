import type { AudioModelConfig, Transcript, TranscriptionRequest } from "../provider.ts";
import { PCM_BYTES_PER_SECOND, PCM_RATE, toPcm16k } from "./pcm.ts";
import { startTask } from "./task.ts";
import { type Sentence, transcriptAs } from "./transcript.ts";

/** 100 ms of audio a frame, as DashScope's real-time recognition documents. */
const FRAME_BYTES = PCM_BYTES_PER_SECOND / 10;

/** A minute for the exchange, plus the recording's own length (real-time recognition may take that long). */
const limitMs = (seconds: number) => 60_000 + Math.ceil(seconds * 1000);

/**
 * Paraformer (paraformer-realtime-v2 and the like) over DashScope's WebSocket API, for an uploaded recording: ffmpeg
 * turns it into 16 kHz mono PCM, which goes in 100 ms binary frames after run-task (asr, recognition), then
 * finish-task; the finished sentences of the result-generated events make the transcript.
 */
export async function recognize(m: AudioModelConfig, r: TranscriptionRequest, signal: AbortSignal): Promise<Transcript> {
  const pcm = await toPcm16k(r.file.bytes);
  const seconds = pcm.length / PCM_BYTES_PER_SECOND;
  // language_hints takes the language's first part (zh, en, ja, yue, ko, de, fr, ru).
  const language = r.fields.language?.trim().toLowerCase().split(/[-_]/)[0] || undefined;
  const task = await startTask(
    m,
    "transcription",
    {
      task_group: "audio",
      task: "asr",
      function: "recognition",
      model: m.model,
      parameters: { format: "pcm", sample_rate: PCM_RATE, ...(language && { language_hints: [language] }) },
      input: {},
    },
    signal,
    limitMs(seconds),
  );
  const sentences: Sentence[] = [];
  try {
    const reading = (async () => {
      for await (const msg of task.messages()) {
        if (msg instanceof Uint8Array || msg.header.event !== "result-generated") continue;
        const s = (msg.payload?.output as { sentence?: Partial<Sentence> & { sentence_end?: boolean } } | undefined)?.sentence;
        if (s?.sentence_end && typeof s.text === "string")
          sentences.push({ begin_time: Number(s.begin_time ?? 0), end_time: Number(s.end_time ?? s.begin_time ?? 0), text: s.text });
      }
    })();
    // A failure while sending is the reader's to report (it knows the server's reason).
    const sending = (async () => {
      for (let at = 0; at < pcm.length; at += FRAME_BYTES) await task.sendAudio(pcm.subarray(at, at + FRAME_BYTES));
      task.finish();
    })();
    await Promise.all([reading, sending.catch(() => reading)]);
  } finally {
    task.close();
  }
  return transcriptAs(r.fields.response_format ?? "json", sentences, seconds, language);
}
