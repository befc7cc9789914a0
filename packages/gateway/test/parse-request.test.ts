import assert from "node:assert/strict";
import { it } from "node:test";
import { seededRandom } from "@benih/gguf";
import { parseChatRequest } from "../src/openai-wire/parse-request.ts";
import { chatCompletionRequest } from "../src/openai-wire/request-schema.ts";

// The common request is checked by hand, the rest by the schema: whichever checks it, a body must be accepted
// exactly when the schema accepts it, and come out as the schema returns it.

const rnd = seededRandom(0x9a75e);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const values: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  0.5,
  1,
  1.5,
  2,
  2.5,
  3,
  2 ** 53,
  "",
  "x",
  "user",
  "system",
  "assistant",
  "developer",
  "tool",
  [],
  {},
  [{ type: "text", text: "t" }],
  { include_usage: true },
  { include_usage: "yes" },
  { other: 1 },
];
const roles = ["system", "developer", "user", "assistant", "tool", "robot"];
const fields = [
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "user",
  "n",
  "seed",
  "stop",
  "tools",
  "tool_choice",
  "response_format",
  "unknown_field",
  "constructor",
  "toString",
];

function message(): Record<string, unknown> {
  const m: Record<string, unknown> = { role: pick(roles), content: rnd() < 0.7 ? "hello" : pick(values) };
  if (rnd() < 0.2) m.name = pick(["n", 1, null]);
  if (rnd() < 0.1) m.extra = "x";
  if (rnd() < 0.1) delete m[pick(["role", "content"])];
  return m;
}

function body(): Record<string, unknown> {
  const b: Record<string, unknown> = { model: "openai/x", messages: Array.from({ length: Math.floor(rnd() * 3) + 1 }, message) };
  for (let i = Math.floor(rnd() * 4); i > 0; i--) b[pick(fields)] = pick(values);
  return b;
}

it("accepts a body exactly when the schema does, and returns what the schema returns", () => {
  let accepted = 0;
  for (let i = 0; i < 5_000; i++) {
    const b = body();
    const expected = chatCompletionRequest.safeParse(structuredClone(b));
    let got: unknown;
    let threw = false;
    try {
      got = parseChatRequest(b);
    } catch {
      threw = true;
    }
    if (!expected.success) assert.ok(threw, `the schema refuses ${JSON.stringify(b)}, so must the parser`);
    else if (!threw || !(expected.data.tool_choice || expected.data.messages.some((m) => m.role === "tool"))) {
      // Refusals after the schema (a tool_choice or tool message that names nothing) are the parser's own.
      assert.ok(!threw, `the schema accepts ${JSON.stringify(b)}`);
      assert.deepEqual(got, expected.data, `the parser returns what the schema returns for ${JSON.stringify(b)}`);
      accepted++;
    }
  }
  assert.ok(accepted > 300, `enough bodies were valid to say something: ${accepted}`);
});
