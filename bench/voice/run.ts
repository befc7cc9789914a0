// bench:voice — what benih adds to text to speech (`POST /v1/audio/speech`), against the same speech made without
// it, measured in this one run.
//
// 1. A provider's speech through benih: time to first audio byte from a loopback speech server called directly,
//    against the same server through benih (its model routed there). The server (bench/voice/fake-speech.ts) and
//    benih each run in their own process, so neither shares an event loop with this one, which only sends requests.
//    The server writes its first chunk at once and the rest 5 ms later: a benih that held audio back would add 5 ms.
//    Target: benih's added p50 at most 1 ms.
// 2. Offline speech (model espeak-ng): audio seconds made per wall second, for a Chinese, an English and an
//    Indonesian paragraph, as WAV (duration from its header) and MP3, through benih and, as the baseline, running
//    espeak-ng (and ffmpeg for MP3) directly with the arguments benih gives them. The ratio of the two is what
//    benih's HTTP, validation and process handling cost on top of the bare tools.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { SPEECH_FORMATS } from "../../packages/assistant/src/skills/voice/formats.ts";
import { speechLanguage } from "../../packages/assistant/src/skills/voice/language.ts";
import { espeakVoice } from "../../packages/assistant/src/skills/voice/voices.ts";
import { latencies, type LatencyResult, percentile, type Target } from "../lib/measure.ts";
import { freePort, startProcess, stop } from "../lib/processes.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_VOICE_ROUNDS ?? 10);
const REST_MS = 5;
const root = fileURLToPath(new URL("../..", import.meta.url));

const paragraphs = [
  {
    lang: "zh",
    host: "global.localhost",
    locale: "en",
    text: "种子是一个开源的人工智能助手，你可以把它装在自己的服务器上，为不同的市场提供服务。它用每个市场自己的语言回答问题，把每一段对话保存在属于这个市场的数据库里，也可以在没有网络的时候把回答读出来，而不需要把任何一句话发给别人。做饭的时候、开车的时候、休息的时候，人们都可以听它说话。管理员可以为每个市场设定自己的规则：哪些模型可以用，哪些词语不能说，每个人每天可以问多少问题。这些规则写在一个配置文件里，改了以后不用重新启动。它还可以看图片、读文件、搜索网页，并且告诉你每一次回答的来源，让你自己去判断对不对。我们希望每个人都能拥有一个真正属于自己的助手。",
  },
  {
    lang: "en",
    host: "global.localhost",
    locale: "en",
    text: "Benih runs your own assistant on a machine you control. It answers in each market's language, keeps every conversation in that market's own store, and reads its replies aloud without sending a word to anyone else. When the network is gone, the offline voice still works, so people can listen while they cook.",
  },
  {
    lang: "id",
    host: "id.localhost",
    locale: "id",
    text: "Benih menjalankan asisten Anda sendiri di mesin yang Anda kendalikan. Ia menjawab dalam bahasa setiap pasar, menyimpan setiap percakapan di tempatnya sendiri, dan membacakan jawaban tanpa mengirim satu kata pun ke pihak lain. Saat jaringan terputus, suara luring tetap bekerja, jadi orang bisa mendengarkan.",
  },
];

/** Runs `bin` with `input` on stdin, as benih does; its stdout. */
function run(bin: string, args: string[], input: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${bin} exited ${code}: ${err.slice(0, 300)}`)),
    );
    child.stdin.end(input);
  });
}

/** espeak-ng and ffmpeg run by hand with the arguments benih gives them for voice nova at speed 1. */
async function bare(text: string, locale: string, format: "wav" | "mp3"): Promise<Buffer> {
  const voice = espeakVoice(speechLanguage(text, locale), "nova");
  const wav = await run("espeak-ng", ["-v", voice, "-s", "175", "--stdout", "-b", "1"], text);
  if (format === "wav") return wav;
  return run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", ...SPEECH_FORMATS.mp3.ffmpeg, "pipe:1"], wav);
}

async function viaBenih(origin: string, host: string, text: string, format: "wav" | "mp3"): Promise<Buffer> {
  const res = await request(`${origin}/v1/audio/speech`, {
    method: "POST",
    headers: { host: `${host}:${new URL(origin).port}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "espeak-ng", input: text, voice: "nova", response_format: format }),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`benih answered ${res.statusCode}: ${bytes.toString().slice(0, 300)}`);
  return bytes;
}

/** A WAV's duration in seconds from its header: espeak-ng writes a plain 44-byte one. */
function wavSeconds(wav: Buffer): number {
  if (wav.subarray(0, 4).toString() !== "RIFF" || wav.subarray(8, 12).toString() !== "WAVE") throw new Error("not a WAV");
  return (wav.length - 44) / wav.readUInt32LE(28);
}

const isMp3 = (b: Buffer) => b.subarray(0, 3).toString() === "ID3" || (b[0] === 0xff && (b[1]! & 0xe0) === 0xe0);

const dataDir = mkdtempSync(join(tmpdir(), "benih-bench-voice-"));
const [speechPort, benihPort] = [await freePort(), await freePort()];
const market = (id: string, hosts: string[], locale: string) =>
  `  - { id: ${id}, region: ${id}, hosts: [${hosts.join(", ")}], allow: ["fake/*"], defaultLocale: ${locale}, locales: [${locale}], displayName: { ${locale}: Benih }, brand: { name: { ${locale}: Benih }, colors: { primary: "#1f6feb" } }, policy: { blocked: [], refusal: { ${locale}: Sorry } } }`;
const configYaml = join(dataDir, "voice.yaml");
writeFileSync(
  configYaml,
  `markets:
${market("global", ["global.localhost", "127.0.0.1"], "en")}
${market("id", ["id.localhost"], "id")}
assistant:
  speech:
    - { name: fake, type: openai-compatible, baseURL: "http://127.0.0.1:${speechPort}/v1", apiKey: sk-bench, model: fake-tts }
`,
);
const speechServer = await startProcess(
  "fake speech server",
  process.execPath,
  ["--import", "tsx", join(root, "bench/voice/fake-speech.ts"), String(speechPort), String(REST_MS)],
  `http://127.0.0.1:${speechPort}/`,
);
const benih = await startProcess(
  "benih",
  process.execPath,
  [join(root, "apps/server/bin/benih.mjs"), "serve", "--port", String(benihPort), "--config", configYaml],
  `http://127.0.0.1:${benihPort}/health`,
  { BENIH_DATA_DIR: dataDir, BENIH_MODELS_DIR: join(dataDir, "none"), LOG_LEVEL: "info" },
);
const origin = `http://127.0.0.1:${benihPort}`;

const fmt = (x: number, w = 8, d = 3) => x.toFixed(d).padStart(w);
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
try {
  console.log(`bench:voice — 1. a provider's speech: ${N} sequential requests per target (after 1000 to warm up, interleaved)\n`);
  const input = "The quick brown fox jumps over the lazy dog.";
  const speechBody = (model: string) => JSON.stringify({ model, input, voice: "alloy", response_format: "mp3" });
  const direct: Target = { name: "direct", url: `http://127.0.0.1:${speechPort}/v1/audio/speech`, headers: {} };
  const through: Target = { name: "benih", url: `${origin}/v1/audio/speech`, headers: {} };
  const lat = await latencies(
    [
      { target: direct, body: speechBody("fake-tts") },
      { target: through, body: speechBody("fake/fake-tts") },
    ],
    N,
  );
  const d = lat.get("direct");
  const b = lat.get("benih");
  if (typeof d !== "object" || typeof b !== "object") throw new Error(`direct: ${JSON.stringify(d)}; benih: ${JSON.stringify(b)}`);
  console.log("time to first audio byte, ms       p50      p99   added p50  added p99   (whole answer p50, p99)");
  const row = (name: string, r: LatencyResult, base?: LatencyResult) =>
    console.log(
      `  ${name.padEnd(30)}${fmt(r.ttft50)} ${fmt(r.ttft99)} ${base ? `${fmt(r.ttft50 - base.ttft50)}   ${fmt(r.ttft99 - base.ttft99)}` : " ".repeat(20)}   (${fmt(r.p50, 0)}, ${fmt(r.p99, 0)})`,
    );
  row("direct", d);
  row("through benih", b, d);
  const added = b.ttft50 - d.ttft50;
  console.log(
    `  benih's added p50: ${added.toFixed(3)} ms (target ≤ 1 ms: ${added <= 1 ? "met" : "NOT met"}); benih TTFB p50 ÷ direct: ${(b.ttft50 / d.ttft50).toFixed(2)}; first byte before the provider's last chunk (${REST_MS} ms): ${b.ttft50 < REST_MS ? "yes, streamed" : "NO, held back"}`,
  );

  console.log(`\nbench:voice — 2. offline speech, model espeak-ng, voice nova: ${ROUNDS} rounds (after 2 to warm up, interleaved)\n`);
  type Way = "bare wav" | "benih wav" | "bare mp3" | "benih mp3";
  const ways: Record<Way, (p: (typeof paragraphs)[number]) => Promise<Buffer>> = {
    "bare wav": (p) => bare(p.text, p.locale, "wav"),
    "benih wav": (p) => viaBenih(origin, p.host, p.text, "wav"),
    "bare mp3": (p) => bare(p.text, p.locale, "mp3"),
    "benih mp3": (p) => viaBenih(origin, p.host, p.text, "mp3"),
  };
  const walls = new Map(paragraphs.map((p) => [p.lang, new Map(Object.keys(ways).map((w) => [w as Way, [] as number[]]))]));
  const outputs = new Map<string, Map<Way, Buffer>>(paragraphs.map((p) => [p.lang, new Map()]));
  for (let round = -2; round < ROUNDS; round++) {
    for (const p of paragraphs) {
      for (const [way, make] of Object.entries(ways) as Array<[Way, (typeof ways)[Way]]>) {
        const t0 = performance.now();
        const out = await make(p);
        const ms = performance.now() - t0;
        if (round >= 0) walls.get(p.lang)!.get(way)!.push(ms);
        outputs.get(p.lang)!.set(way, out);
      }
    }
  }
  console.log(
    `${"".padEnd(34)}${"audio s".padStart(6)} ${"wall p50 ms".padStart(12)} ${"wall p99 ms".padStart(13)}   ${"real time".padStart(9)}   benih ÷ bare (wall p50)`,
  );
  for (const p of paragraphs) {
    const out = outputs.get(p.lang)!;
    const seconds = wavSeconds(out.get("benih wav")!);
    if (out.get("bare wav")!.length !== out.get("benih wav")!.length)
      console.log(
        `  ${p.lang}: benih's WAV (${out.get("benih wav")!.length} bytes) differs from bare espeak-ng's (${out.get("bare wav")!.length})`,
      );
    if (!isMp3(out.get("benih mp3")!)) console.log(`  ${p.lang}: benih's mp3 answer is not MP3`);
    const w = walls.get(p.lang)!;
    console.log(`  ${p.lang} (${[...p.text].length} characters)`);
    for (const way of Object.keys(ways) as Way[]) {
      const p50 = percentile(w.get(way)!, 50);
      const bareWay = way.replace("benih", "bare") as Way;
      const ratio = way.startsWith("benih")
        ? `${(p50 / percentile(w.get(bareWay)!, 50)).toFixed(2)}× (${signed(p50 - percentile(w.get(bareWay)!, 50))} ms)`
        : "";
      const label = way.startsWith("bare")
        ? `bare ${way.endsWith("wav") ? "espeak-ng" : "espeak-ng + ffmpeg"}, ${way.slice(-3)}`
        : way.replace(" ", ", ");
      console.log(
        `    ${label.padEnd(30)}${fmt(seconds, 6, 1)} ${fmt(p50, 12, 1)} ${fmt(percentile(w.get(way)!, 99), 13, 1)}   ${`${(seconds / (p50 / 1000)).toFixed(0)}×`.padStart(9)}   ${ratio}`,
      );
    }
  }
} finally {
  stop(speechServer, benih);
  rmSync(dataDir, { recursive: true, force: true });
}
