import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { seededRandom } from "@benih/gguf";
import { createOpenAICompatible } from "@benih/providers";
import { startGateway, type GatewayHarness } from "./harness.ts";

// 10,000 malformed or random request bodies, from a fixed seed: every answer must be a 4xx (or a 200 for the
// rare valid one), never a 5xx, and the server must still be up at the end.

let up: FakeServer;
let gw: GatewayHarness;
before(async () => {
  up = await startFakeOpenAI();
  gw = await startGateway({
    providers: [createOpenAICompatible({ name: "fake", baseURL: `${up.url}/v1`, apiKey: "k" })],
    routes: [{ model: "m", targets: [{ provider: "fake", model: "ok" }] }],
    bodyLimit: 64 * 1024,
  });
});
after(async () => {
  await gw.close();
  await up.close();
});

const rnd = seededRandom(0xbe1e);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (n: number) => Math.floor(rnd() * n);

const strings = [
  "",
  "m",
  "fake/ok",
  "user",
  "assistant",
  "system",
  "tool",
  "developer",
  "text",
  "image_url",
  "function",
  "json_object",
  "\u0000",
  "🤖",
  "中文",
  "a".repeat(300),
  "__proto__",
  "constructor",
  "null",
  "[DONE]",
];
const scalars = (): unknown => pick([null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53, NaN, pick(strings), int(5)]);

function randomValue(depth: number): unknown {
  if (depth <= 0 || rnd() < 0.4) return scalars();
  if (rnd() < 0.5) return Array.from({ length: int(4) }, () => randomValue(depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < int(5); i++) o[pick([...strings, "role", "content", "model", "messages", "tools", "type"])] = randomValue(depth - 1);
  return o;
}

const valid = () => ({
  model: "m",
  messages: [
    { role: "system", content: "s" },
    { role: "user", content: [{ type: "text", text: "hi" }] },
  ],
  temperature: 0.5,
  max_tokens: 5,
  stream: false,
  tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
  tool_choice: "auto",
  response_format: { type: "json_object" },
});

/** A valid body with one random path replaced, deleted, or given a random value. */
function mutate(): unknown {
  const body: any = valid();
  for (let n = 0; n <= int(3); n++) {
    const paths: Array<[any, string | number]> = [];
    const walk = (o: any) => {
      if (o && typeof o === "object")
        for (const k of Object.keys(o)) {
          paths.push([o, Array.isArray(o) ? Number(k) : k]);
          walk(o[k]);
        }
    };
    walk(body);
    const [parent, key] = pick(paths);
    if (rnd() < 0.3) delete parent[key];
    else parent[key] = randomValue(3);
  }
  return body;
}

function rawBody(): { body: string; type: string } {
  const kind = int(10);
  const json = JSON.stringify(kind < 5 ? mutate() : randomValue(4)) ?? "null";
  switch (kind) {
    case 8:
      return { body: json.slice(0, int(json.length)), type: "application/json" }; // truncated
    case 9: {
      const bytes = Array.from({ length: int(200) }, () => String.fromCharCode(int(256))).join("");
      return {
        body: pick([bytes, "{".repeat(5000), `{"model":"m","messages":${"[".repeat(3000)}`, "x".repeat(70 * 1024)]),
        type: pick(["application/json", "text/plain", "application/x-www-form-urlencoded"]),
      };
    }
    default:
      return { body: json, type: "application/json" };
  }
}

it("answers 10,000 random or malformed bodies without a single 5xx", async () => {
  const statuses = new Map<number, number>();
  const fiveHundreds: string[] = [];
  const bodies = Array.from({ length: 10_000 }, rawBody);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const { body, type } = bodies[next++]!;
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": type }, body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) fiveHundreds.push(`${res.status} for ${body.slice(0, 200)} → ${text.slice(0, 200)}`);
      else if (res.status >= 400) {
        const err = JSON.parse(text).error;
        assert.equal(typeof err.message, "string", "every error has OpenAI's shape");
        assert.ok(!/\n\s+at /.test(err.message), "no stack trace reaches the client");
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  console.log("statuses", JSON.stringify([...statuses].sort()));
  assert.deepEqual(fiveHundreds.slice(0, 5), []);
  assert.ok((statuses.get(400) ?? 0) > 5000, `mostly 400s: ${JSON.stringify([...statuses])}`);
  assert.ok(statuses.has(413) && statuses.has(415));
  const health = await fetch(`${gw.url}/health`);
  assert.equal(health.status, 200);
});
