import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { sleep } from "./server.ts";

/** One task as the fake saw it: its run-task, the text it was given, the audio it was sent. */
export interface SeenDashScopeTask {
  authorization?: string;
  runTask: { header: Record<string, unknown>; payload: Record<string, any> };
  texts: string[];
  audioFrames: number;
  audioBytes: number;
  /** The received PCM's loudness (root mean square of its 16-bit samples): near 0 for silence. */
  rms: number;
  /** The first bytes of the audio: raw PCM has no container header (RIFF, OggS, WebM's 1A 45 DF A3). */
  head: Buffer;
  /** True once the client closed the socket before task-finished was sent: it saw the caller go away. */
  abandoned: boolean;
}

export interface FakeDashScopeSpeechOptions {
  /** The accepted API key (default sk-dashscope); any other is refused at the upgrade with 401 InvalidApiKey. */
  apiKey?: string;
  /** The sentences recognition answers, spread evenly over the audio it received. */
  sentences?: string[];
  /** Milliseconds between synthesis' audio frames, so a client sees them arrive one by one (default 40). */
  frameGapMs?: number;
}

export interface FakeDashScopeSpeech {
  /** The WebSocket endpoint, ws://127.0.0.1:port/api-ws/v1/inference. */
  url: string;
  tasks: SeenDashScopeTask[];
  close(): Promise<void>;
}

/** Text that makes synthesis fail as a rate-limited account does. */
export const DASHSCOPE_THROTTLED_TEXT = "THROTTLE ME";

const FORMATS = ["pcm", "wav", "mp3", "opus"];
const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000];

/** A tone of `seconds` as 16-bit mono PCM. */
function tone(seconds: number, rate: number): Buffer {
  const pcm = Buffer.alloc(Math.round(seconds * rate) * 2);
  for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return pcm;
}

function wav(pcm: Buffer, rate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write("WAVEfmt ", 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36);
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/** Real audio in `format`: PCM and WAV written here, MP3 and Ogg Opus by ffmpeg. */
function audio(format: string, rate: number, seconds: number): Buffer {
  const pcm = tone(seconds, rate);
  if (format === "pcm") return pcm;
  if (format === "wav") return wav(pcm, rate);
  const codec = format === "mp3" ? ["-f", "mp3", "-c:a", "libmp3lame"] : ["-f", "ogg", "-c:a", "libopus", "-ar", "48000"];
  return execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", ...codec, "pipe:1"], {
    input: wav(pcm, rate),
  });
}

function rmsOf(pcm: Buffer): number {
  let sum = 0;
  const n = Math.floor(pcm.length / 2);
  for (let i = 0; i < n; i++) sum += pcm.readInt16LE(i * 2) ** 2;
  return n ? Math.sqrt(sum / n) : 0;
}

/** Splits `bytes` into `n` frames. */
const frames = (bytes: Buffer, n: number) =>
  Array.from({ length: n }, (_, i) => bytes.subarray(Math.floor((i * bytes.length) / n), Math.floor(((i + 1) * bytes.length) / n)));

/**
 * A loopback server speaking DashScope's (Alibaba Cloud Model Studio) WebSocket inference API as documented, for
 * CosyVoice synthesis and Paraformer real-time recognition: `Authorization: bearer <key>` on the upgrade (401 with
 * `{code: "InvalidApiKey"}` otherwise); run-task → task-started; continue-task text → result-generated events, each
 * sentence-synthesis one followed by a binary audio frame; finish-task → task-finished. Recognition takes binary PCM
 * frames and answers result-generated sentences (interim, then sentence_end). Mistakes are task-failed events with
 * error_code InvalidParameter; DASHSCOPE_THROTTLED_TEXT is Throttling.RateQuota.
 */
export async function startFakeDashScopeSpeech(o: FakeDashScopeSpeechOptions = {}): Promise<FakeDashScopeSpeech> {
  const key = o.apiKey ?? "sk-dashscope";
  const gap = o.frameGapMs ?? 40;
  const tasks: SeenDashScopeTask[] = [];
  const http = createServer((_req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: "InvalidParameter", message: "This endpoint speaks WebSocket only." }));
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: number, code: string, message: string) => {
      const body = JSON.stringify({ code, message, request_id: "fake-request" });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Not Found"}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    };
    if (!/^\/api-ws\/v1\/inference\/?$/.test(new URL(req.url ?? "/", "http://fake").pathname)) return refuse(404, "NotFound", "Not found.");
    const auth = req.headers.authorization ?? "";
    if (!/^bearer /i.test(auth) || auth.slice(7) !== key) return refuse(401, "InvalidApiKey", "Invalid API-key provided.");
    wss.handleUpgrade(req, socket, head, (ws) => session(ws, auth));
  });

  function session(ws: WebSocket, authorization: string) {
    let seen: SeenDashScopeTask | undefined;
    let taskId = "";
    const pcm: Buffer[] = [];
    let synthesis: Promise<void> = Promise.resolve();
    let finished = false;
    const event = (event: string, payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
      finished ||= event === "task-finished" || event === "task-failed";
      ws.send(JSON.stringify({ header: { task_id: taskId, event, attributes: {}, ...extra }, payload }));
    };
    const failed = (code: string, message: string) => {
      event("task-failed", {}, { error_code: code, error_message: message });
      ws.close();
    };

    ws.on("close", () => {
      if (seen && !finished) seen.abandoned = true;
    });
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (isBinary) {
        if (!seen) return failed("InvalidParameter", "binary data before run-task");
        if (seen.runTask.payload.task !== "asr") return failed("InvalidParameter", "binary data is only accepted by an asr task");
        seen.audioFrames++;
        seen.audioBytes += bytes.length;
        pcm.push(bytes);
        return;
      }
      let msg: { header?: Record<string, any>; payload?: Record<string, any> };
      try {
        msg = JSON.parse(bytes.toString("utf8"));
      } catch {
        return failed("InvalidParameter", "the message is not JSON");
      }
      const { header = {}, payload = {} } = msg;
      if (header.streaming !== "duplex" || typeof header.task_id !== "string" || !header.task_id)
        return failed("InvalidParameter", "header.task_id and header.streaming=duplex are required");
      if (header.action === "run-task") {
        taskId = header.task_id;
        seen = {
          authorization,
          runTask: msg as SeenDashScopeTask["runTask"],
          texts: [],
          audioFrames: 0,
          audioBytes: 0,
          rms: 0,
          head: Buffer.alloc(0),
          abandoned: false,
        };
        tasks.push(seen);
        const p = payload.parameters ?? {};
        const tts = payload.task === "tts" && payload.function === "SpeechSynthesizer";
        const asr = payload.task === "asr" && payload.function === "recognition";
        if (payload.task_group !== "audio" || !(tts || asr) || !payload.model || !payload.input)
          return failed("InvalidParameter", "task_group, task, function, model and input are required");
        if (tts && (p.text_type !== "PlainText" || !p.voice)) return failed("InvalidParameter", "text_type and voice are required");
        if (tts && p.format !== undefined && !FORMATS.includes(p.format))
          return failed("InvalidParameter", `format ${p.format} is not supported`);
        if (tts && p.sample_rate !== undefined && !SAMPLE_RATES.includes(p.sample_rate))
          return failed("InvalidParameter", `sample_rate ${p.sample_rate} is not supported`);
        if (tts && p.rate !== undefined && !(p.rate >= 0.5 && p.rate <= 2)) return failed("InvalidParameter", "rate must be in [0.5, 2]");
        if (asr && (!p.format || !p.sample_rate)) return failed("InvalidParameter", "format and sample_rate are required");
        return event("task-started");
      }
      if (!seen || header.task_id !== taskId) return failed("InvalidParameter", "no task was started with this task_id");
      if (header.action === "continue-task") {
        const text = String(payload.input?.text ?? "");
        if (seen.runTask.payload.task !== "tts" || !text) return failed("InvalidParameter", "continue-task needs input.text");
        if (text.includes(DASHSCOPE_THROTTLED_TEXT))
          return failed("Throttling.RateQuota", "Requests rate limit exceeded, please try again later.");
        seen.texts.push(text);
        const p = seen.runTask.payload.parameters;
        const rate = p.sample_rate ?? 22050;
        const bytes = audio(p.format ?? "mp3", rate, Math.min(4, 0.3 + text.length * 0.06));
        const index = seen.texts.length - 1;
        synthesis = synthesis.then(async () => {
          event("result-generated", { output: { sentence: { index, words: [] }, type: "sentence-begin", original_text: text } });
          for (const frame of frames(bytes, 4)) {
            await sleep(gap);
            event("result-generated", { output: { sentence: { index, words: [] }, type: "sentence-synthesis" } });
            ws.send(frame, { binary: true });
          }
          event("result-generated", {
            output: { sentence: { index, words: [] }, type: "sentence-end", original_text: text },
            usage: { characters: text.length },
          });
        });
        return;
      }
      if (header.action === "finish-task") {
        if (seen.runTask.payload.task === "tts") return void synthesis.then(() => event("task-finished", { output: {} }));
        return recognised(seen);
      }
      failed("InvalidParameter", `unknown action ${header.action}`);
    });

    async function recognised(task: SeenDashScopeTask) {
      const all = Buffer.concat(pcm);
      task.rms = rmsOf(all);
      task.head = all.subarray(0, 16);
      const p = task.runTask.payload.parameters;
      if (p.format !== "pcm" || all.length % 2) return failed("InvalidParameter", "the audio is not 16-bit PCM");
      const ms = (all.length / 2 / p.sample_rate) * 1000;
      const said = o.sentences ?? ["hello"];
      for (const [i, text] of said.entries()) {
        const begin = Math.round((i * ms) / said.length);
        const end = Math.round(((i + 1) * ms) / said.length);
        const sentence = {
          begin_time: begin,
          end_time: null,
          text: text.slice(0, Math.ceil(text.length / 2)),
          heartbeat: false,
          sentence_end: false,
          words: [],
        };
        event("result-generated", { output: { sentence }, usage: null });
        await sleep(5);
        event("result-generated", {
          output: { sentence: { ...sentence, end_time: end, text, sentence_end: true } },
          usage: { duration: Math.ceil(ms / 1000) },
        });
      }
      event("task-finished", { output: {} });
    }
  }

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/api-ws/v1/inference`,
    tasks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
