import type { ServerResponse } from "node:http";
import { json, startFake, type FakeServer } from "./server.ts";
import { audioContainer, silentMp3, silentOggOpus, tonePcm, toneWav } from "./test-tones.ts";

export interface FakeVolcengineSpeechOptions {
  /** The app id (X-Api-App-Key, app.appid) and access token (Bearer;…, X-Api-Access-Key) it accepts. */
  appId?: string;
  token?: string;
  /** Synthesis of a text containing this answers 3003, the concurrency quota ("quota exceeded for types: concurrency"). */
  busyText?: string;
  /** What recognition hears in any recording that is not silence; sentences become utterances. */
  transcript?: string;
}

const VOICE = /^(zh|en|multi|ja|es|id|pt)_[a-z0-9_]+_bigtts$|^BV\d+_streaming$/i;
const ENCODINGS = new Set(["wav", "pcm", "ogg_opus", "mp3"]);
const RESOURCE = "volc.bigasr.auc_turbo";

/**
 * A loopback server speaking Volcano Engine's Doubao speech APIs as documented. Synthesis: `POST /api/v1/tts`
 * (HTTP, operation "query"; `Authorization: Bearer;{token}`), answering `{ reqid, code: 3000, data: base64 audio,
 * addition: { duration } }` with a real WAV, PCM, MP3 or Ogg Opus (a tone, or silence), or its error codes: 3001
 * invalid parameters (cluster, operation, encoding, speed_ratio), 3003 concurrency (for `busyText`), 3010 text over
 * 1024 bytes, 3011 no speakable text, 3050 unknown voice; a wrong token or app id is HTTP 401 "authenticate request:
 * load grant: requested grant not found". Recognition: `POST /api/v3/auc/bigmodel/recognize/flash` with
 * X-Api-App-Key, X-Api-Access-Key, X-Api-Resource-Id (volc.bigasr.auc_turbo), X-Api-Request-Id and X-Api-Sequence -1,
 * the status in X-Api-Status-Code: 20000000 with result.text and utterances (start/end in ms), 20000003 for a WAV of
 * silence, 45000001 bad parameters, 45000002 empty audio, 45000151 a file that is not WAV, MP3 or Ogg; 401
 * (45000010) for a wrong key, 403 (45000030) for a resource not granted.
 */
export async function startFakeVolcengineSpeech(o: FakeVolcengineSpeechOptions = {}): Promise<FakeServer> {
  const appId = o.appId ?? "fake-app";
  const token = o.token ?? "fake-token";
  const busyText = o.busyText ?? "[busy]";
  const transcript = o.transcript ?? "Hello from the loopback. This is a test.";
  return startFake(async (req, res, body) => {
    const path = new URL(req.url ?? "/", "http://openspeech").pathname;
    if (req.method === "POST" && path === "/api/v1/tts") return synthesize(res, req.headers.authorization, body);
    if (req.method === "POST" && path === "/api/v3/auc/bigmodel/recognize/flash") return recognize(res, req.headers, body);
    json(res, 404, { code: 404, message: `no route ${req.method} ${path}` });
  });

  function synthesize(res: ServerResponse, authorization: string | undefined, body: any) {
    const reqid = String(body?.request?.reqid ?? "");
    const answer = (code: number, message: string, status = 200) => json(res, status, { reqid, code, message, operation: "query" });
    if (authorization !== `Bearer;${token}` || body?.app?.appid !== appId)
      return answer(3001, "authenticate request: load grant: requested grant not found", 401);
    if (!reqid) return answer(3001, "reqid is required");
    if (body?.app?.cluster !== "volcano_tts") return answer(3001, "Fail to feed text, reason Init Engine Instance failed");
    if (body?.request?.operation !== "query") return answer(3001, "operation must be query over HTTP");
    const audio = body?.audio ?? {};
    const encoding = String(audio.encoding ?? "pcm");
    if (!ENCODINGS.has(encoding)) return answer(3001, `invalid encoding: ${encoding}`);
    const speed = Number(audio.speed_ratio ?? 1);
    if (!(speed >= 0.8 && speed <= 2)) return answer(3001, `speed_ratio ${audio.speed_ratio} out of range [0.8,2]`);
    if (!VOICE.test(String(audio.voice_type ?? ""))) return answer(3050, `voice_type ${audio.voice_type} not exist`);
    const text = String(body?.request?.text ?? "");
    if (Buffer.byteLength(text) > 1024) return answer(3010, "text length exceeds the limit of 1024 bytes");
    if (!/[\p{L}\p{N}]/u.test(text)) return answer(3011, "illegal input text!");
    if (text.includes(busyText)) return answer(3003, "quota exceeded for types: concurrency");
    // About how long a person takes to say it: a Han character or a word at four a second, sped up by speed_ratio.
    const units = (text.match(/\p{Script=Han}/gu)?.length ?? 0) + (text.match(/[A-Za-z0-9]+/g)?.length ?? 0);
    const seconds = Math.max(0.3, units / 4 / speed);
    const rate = Number(audio.rate ?? 24000);
    const data =
      encoding === "wav"
        ? toneWav(seconds, rate)
        : encoding === "pcm"
          ? tonePcm(seconds, rate)
          : encoding === "mp3"
            ? silentMp3(seconds)
            : silentOggOpus(seconds);
    json(res, 200, {
      reqid,
      code: 3000,
      operation: "query",
      message: "Success",
      sequence: -1,
      data: data.toString("base64"),
      addition: { duration: String(Math.round(seconds * 1000)) },
    });
  }

  function recognize(res: ServerResponse, headers: Record<string, string | string[] | undefined>, body: any) {
    const status = (http: number, code: string, message: string, payload: unknown = {}) =>
      json(res, http, payload, { "x-api-status-code": code, "x-api-message": message, "x-tt-logid": "fake-logid" });
    if (headers["x-api-app-key"] !== appId || headers["x-api-access-key"] !== token)
      return status(401, "45000010", "load grant: requested grant not found in SaaS storage", {
        code: 45000010,
        message: "load grant: requested grant not found in SaaS storage",
      });
    if (headers["x-api-resource-id"] !== RESOURCE)
      return status(403, "45000030", `[resource_id=${headers["x-api-resource-id"]}] requested resource not granted`, {
        code: 45000030,
        message: "requested resource not granted",
      });
    if (!headers["x-api-request-id"] || headers["x-api-sequence"] !== "-1")
      return status(400, "45000001", "X-Api-Request-Id and X-Api-Sequence: -1 are required");
    if (body?.request?.model_name !== "bigmodel") return status(400, "45000001", "request.model_name must be bigmodel");
    const data = body?.audio?.data;
    if (typeof data !== "string" && typeof body?.audio?.url !== "string")
      return status(400, "45000001", "audio.url or audio.data is required");
    const bytes = Buffer.from(String(data ?? ""), "base64");
    if (!bytes.length) return status(400, "45000002", "empty audio");
    const container = audioContainer(bytes);
    if (container !== "wav" && container !== "mp3" && container !== "ogg") return status(400, "45000151", "invalid audio format");
    // A WAV's length and loudness are read from it; other containers are taken to hold speech of a few seconds.
    let ms = 3000;
    let silent = false;
    if (container === "wav") {
      const { byteRate, pcm } = wavParts(bytes);
      ms = Math.round((pcm.length / byteRate) * 1000);
      silent = pcm.every((b) => b === 0);
    }
    if (silent) return status(200, "20000003", "silence audio", { audio_info: { duration: ms }, result: { text: "" } });
    const sentences = transcript.match(/[^.!?。！？]+[.!?。！？]?/g)?.map((s) => s.trim()) ?? [transcript];
    const share = ms / sentences.length;
    status(200, "20000000", "OK", {
      audio_info: { duration: ms },
      result: {
        additions: { duration: String(ms) },
        text: transcript,
        utterances: sentences.map((text, i) => ({
          start_time: Math.round(i * share),
          end_time: Math.round((i + 1) * share),
          text,
          words: [],
        })),
      },
    });
  }
}

/** A WAV's byte rate (its fmt chunk) and samples (its data chunk), found by walking its chunks. */
function wavParts(wav: Buffer): { byteRate: number; pcm: Buffer } {
  let byteRate = 1;
  for (let at = 12; at + 8 <= wav.length; ) {
    const id = wav.subarray(at, at + 4).toString("latin1");
    const size = wav.readUInt32LE(at + 4);
    if (id === "fmt ") byteRate = wav.readUInt32LE(at + 16) || 1;
    // A stream's writer (espeak-ng, ffmpeg to a pipe) may leave the data size unknown: the rest is data.
    if (id === "data") return { byteRate, pcm: wav.subarray(at + 8, size && at + 8 + size <= wav.length ? at + 8 + size : wav.length) };
    at += 8 + size + (size % 2);
  }
  return { byteRate, pcm: Buffer.alloc(0) };
}
