// A minimal OpenAI-compatible upstream for benchmarks: fixed answers, precomputed bytes, nothing else, so the
// numbers measure the gateway in front of it. Run as its own process: `node --import tsx bench/lib/upstream.ts PORT`.
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 0);
const completion = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1700000000,
  model: "bench",
  choices: [{ index: 0, message: { role: "assistant", content: "The quick brown fox jumps over the lazy dog." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
});
const words = "The quick brown fox jumps over the lazy dog.".split(/(?= )/);
const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1700000000, model: "bench", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const stream =
  chunk({ role: "assistant", content: "" }, null) +
  words.map((w) => chunk({ content: w }, null)).join("") +
  chunk({}, "stop") +
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1700000000, model: "bench", choices: [], usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 } })}\n\n` +
  "data: [DONE]\n\n";
const models = JSON.stringify({ object: "list", data: [{ id: "bench", object: "model", created: 1700000000, owned_by: "bench" }] });

const server = createServer((req, res) => {
  if (req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" }).end(models);
    return;
  }
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (body.includes('"stream":true')) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.end(stream);
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(completion);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === "object" && addr ? addr.port : port}\n`);
});
