// A loopback server speaking OpenAI's POST /v1/embeddings for bench:search --hybrid, in its own process: each input's
// vector, of 256 dimensions (or `dimensions`), is drawn from a generator seeded by the text, so a text always gets
// the same one. Usage: node --import tsx bench/search/embedding-upstream.ts <port>
import { createHash } from "node:crypto";
import { createServer } from "node:http";

const vectorOf = (text: string, dims: number) => {
  let s = createHash("sha1").update(text).digest().readUInt32LE(0) || 1;
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    v[i] = ((s >>> 0) / 0xffffffff) * 2 - 1;
    norm += v[i]! * v[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i] = v[i]! / norm;
  return v;
};

createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (d: Buffer) => parts.push(d));
  req.on("end", () => {
    if (req.method === "GET") return res.writeHead(200, { "content-type": "application/json" }).end('{"object":"list","data":[]}');
    const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as {
      model: string;
      input: string | string[];
      dimensions?: number;
      encoding_format?: string;
    };
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const data = inputs.map((x, index) => {
      const v = vectorOf(x, body.dimensions ?? 256);
      return {
        object: "embedding",
        index,
        embedding: body.encoding_format === "base64" ? Buffer.from(v.buffer).toString("base64") : Array.from(v),
      };
    });
    const tokens = inputs.reduce((n, x) => n + x.length, 0);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", model: body.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
  });
}).listen(Number(process.argv[2]), "127.0.0.1");
