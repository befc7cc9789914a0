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

/** Sequential requests (one connection, so no queueing): p50/p99 of total time and of time to first byte. */
export async function latency(t: Target, body: string, n: number) {
  for (let i = 0; i < Math.min(200, n); i++) await once(t, body); // warm-up: JIT, connections, caches
  const total: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < n; i++) {
    const [f, tt] = await once(t, body);
    first.push(f);
    total.push(tt);
  }
  return { p50: percentile(total, 50), p99: percentile(total, 99), ttft50: percentile(first, 50), ttft99: percentile(first, 99) };
}
