import { Agent, request } from "node:http";

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request on a kept-alive connection; resolves with [time to first body byte, total time] in ms. */
function once(t: Target, body: string): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    const req = request(
      t.url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...t.headers } },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`${t.name}: HTTP ${res.statusCode}`));
        res.on("data", () => {
          first ||= performance.now() - t0;
        });
        res.on("end", () => resolve([first, performance.now() - t0]));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export interface LatencyResult {
  p50: number;
  p99: number;
  ttft50: number;
  ttft99: number;
}

/**
 * Sequential requests (one connection each, so no queueing), for several targets at once: all are warmed up
 * first, then measured in interleaved batches so that drift on a shared machine (other load, CPU frequency) falls
 * on every target alike. A target that fails is reported by its error message.
 */
export async function latencies(
  targets: Array<{ target: Target; body: string }>,
  n: number,
  warmup = 1000,
): Promise<Map<string, LatencyResult | string>> {
  const samples = new Map(targets.map(({ target }) => [target.name, { total: [] as number[], first: [] as number[], error: "" }]));
  for (const { target, body } of targets) {
    for (let i = 0; i < warmup; i++) {
      try {
        await once(target, body);
      } catch (err) {
        samples.get(target.name)!.error = (err as Error).message;
        break;
      }
    }
  }
  const batch = 100;
  for (let done = 0; done < n; done += batch) {
    for (const { target, body } of targets) {
      const s = samples.get(target.name)!;
      if (s.error) continue;
      for (let i = 0; i < batch; i++) {
        const [f, t] = await once(target, body);
        s.first.push(f);
        s.total.push(t);
      }
    }
  }
  return new Map(
    [...samples].map(([name, s]) => [
      name,
      s.error
        ? `failed (${s.error})`
        : { p50: percentile(s.total, 50), p99: percentile(s.total, 99), ttft50: percentile(s.first, 50), ttft99: percentile(s.first, 99) },
    ]),
  );
}
