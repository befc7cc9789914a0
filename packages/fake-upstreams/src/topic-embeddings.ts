import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback server speaking OpenAI's POST /v1/embeddings whose vectors carry a meaning the test sets: a text given a
 * topic embeds as that topic's unit vector plus a little noise (so texts of one topic are near, whatever their
 * words); any other text as a direction of its own. Deterministic: the noise is seeded by the text.
 */
export interface TopicEmbeddings {
  url: string;
  /** Texts embedded so far, in order (a batch's inputs one by one), of the calls answered. */
  seen: string[];
  /** Makes the next calls fail with this HTTP status (0: answer again). */
  failWith(status: number): void;
  /** Answers each call this many milliseconds late (0: at once). */
  slowBy(ms: number): void;
  close(): Promise<void>;
}

export const TOPIC_DIMS = 64;

function seeded(text: string, n: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < n; block++)
    for (const byte of createHash("sha256").update(`${block}\0${text}`).digest()) if (out.length < n) out.push(byte / 127.5 - 1);
  return out;
}

export function topicVector(topics: ReadonlyMap<string, number>, text: string): Float32Array {
  const noise = seeded(text, TOPIC_DIMS);
  const topic = topics.get(text);
  const v = topic === undefined ? noise : noise.map((x, i) => (i === topic ? 1 : 0) + x * 0.05);
  const norm = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / norm);
}

export async function startTopicEmbeddings(topics: ReadonlyMap<string, number>): Promise<TopicEmbeddings> {
  const seen: string[] = [];
  let failing = 0;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", async () => {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const send = (status: number, value: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.method !== "POST" || !req.url?.endsWith("/embeddings")) return send(404, { error: { message: "not found" } });
      if (failing)
        return send(failing, {
          error: { message: "The server had an error while processing your request.", type: "server_error", code: null },
        });
      const { model, input, encoding_format } = JSON.parse(body) as { model: string; input: string | string[]; encoding_format?: string };
      const inputs = typeof input === "string" ? [input] : input;
      // What a caller that went away before the answer never got is not counted as seen.
      if (!res.destroyed) seen.push(...inputs);
      send(200, {
        object: "list",
        model,
        data: inputs.map((x, index) => {
          const v = topicVector(topics, x);
          return {
            object: "embedding",
            index,
            embedding: encoding_format === "base64" ? Buffer.from(v.buffer).toString("base64") : Array.from(v),
          };
        }),
        usage: { prompt_tokens: inputs.join("").length, total_tokens: inputs.join("").length },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    failWith: (status) => void (failing = status),
    slowBy: (ms) => void (delayMs = ms),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Embeds texts at the server as a client of OpenAI's API would, asking for base64 float32. */
export async function embedAt(url: string, model: string, input: string[]): Promise<Float32Array[]> {
  const res = await fetch(`${url}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, input, encoding_format: "base64" }),
  });
  if (!res.ok) throw new Error(`embeddings answered HTTP ${res.status}`);
  const { data } = (await res.json()) as { data: Array<{ embedding: string }> };
  return data.map((d) => {
    const b = Buffer.from(d.embedding, "base64");
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
}
