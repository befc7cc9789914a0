import { chat, readSSE } from "./harness.ts";

/** The seeded generator (mulberry32) test models are made with: the same seed, the same requests. */
export { seededRandom as mulberry32 } from "@benih/gguf";

export const PROPERTY_BUDGET = 2_000;

/**
 * Sends 50 streaming requests at once, of random prompt lengths and max_tokens, to the `echo` model (its answer
 * grows with the prompt) through the given gateways in turn, for one key whose budget is PROPERTY_BUDGET tokens a
 * day. Returns what the served ones really used (their streamed usage), and what the counters hold afterwards
 * (read from a probe's x-ratelimit-remaining-tokens).
 */
export async function runConcurrentBudget(urls: string[], key: string, rand: () => number) {
  const auth = { authorization: `Bearer ${key}` };
  const requests = Array.from({ length: 50 }, (_, i) => ({
    url: urls[i % urls.length]!,
    prompt: "x".repeat(1 + Math.floor(rand() * 120)),
    maxTokens: 1 + Math.floor(rand() * 60),
  }));
  const results = await Promise.all(
    requests.map(async (r) => {
      const res = await chat(
        r.url,
        {
          model: "echo",
          messages: [{ role: "user", content: r.prompt }],
          max_tokens: r.maxTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        auth,
      );
      if (res.status !== 200) return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code, used: 0 };
      const usage = (await readSSE(res)).find((e) => e?.usage)?.usage as { total_tokens: number };
      return { status: 200, code: "", used: usage.total_tokens };
    }),
  );
  const unexpected = results.filter((r) => r.status !== 200 && r.code !== "insufficient_quota");
  if (unexpected.length) throw new Error(`unexpected answers: ${JSON.stringify(unexpected)}`);
  const used = results.reduce((n, r) => n + r.used, 0);
  // "x" with max_tokens 1 reserves 1 + 4 + 1 tokens.
  const probe = await chat(urls[0]!, { model: "echo", messages: [{ role: "user", content: "x" }], max_tokens: 1 }, auth);
  const counted = PROPERTY_BUDGET - 6 - Number(probe.headers.get("x-ratelimit-remaining-tokens"));
  await probe.text();
  return {
    budget: PROPERTY_BUDGET,
    used,
    counted,
    served: results.filter((r) => r.status === 200).length,
    refused: results.filter((r) => r.status === 429).length,
  };
}
