// A speech provider for benchmarks, on OpenAI's `/v1/audio/speech`: chunked audio, the first chunk written as soon
// as the request's body is in, the rest REST_MS later, so a client's time to first byte is this server's floor and
// anything that held the audio back until its end would show as at least REST_MS.
// Run as its own process: `node --import tsx bench/voice/fake-speech.ts PORT REST_MS`.
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 0);
const restMs = Number(process.argv[3] ?? 5);
// Silent MP3 frames: MPEG-1 layer III, 64 kb/s, 32 kHz, mono, each 288 bytes long.
const frame = Buffer.alloc(288);
frame.set([0xff, 0xfb, 0x58, 0xc4]);
const first = Buffer.concat(Array.from({ length: 8 }, () => frame));
const rest = Buffer.concat(Array.from({ length: 56 }, () => frame));

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/v1/audio/speech") {
    res.writeHead(req.method === "GET" ? 200 : 404, { "content-type": "application/json" }).end("{}");
    return;
  }
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "audio/mpeg", "transfer-encoding": "chunked" });
    res.write(first);
    setTimeout(() => res.end(rest), restMs);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1");
