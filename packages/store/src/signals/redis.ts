import type { Signals, Unsubscribe } from "@benih/contracts";
import { Redis } from "ioredis";
import { envelope, FanOut } from "./fan-out.ts";

/**
 * Signals between instances over Redis pub/sub (REDIS_URL): one connection publishes, one listens (a subscribed
 * connection can do nothing else). ioredis reconnects and subscribes again by itself; what was published while an
 * instance was away is lost, which a signal may be.
 */
export class RedisSignals implements Signals {
  private readonly fanOut = new FanOut();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
  ) {
    sub.on("message", (_channel: string, raw: string) => {
      const m = envelope.decode(raw);
      if (m) this.fanOut.deliver(m[0], m[1]);
    });
  }

  /**
   * Connects and listens. Redis not answering yet is no reason to refuse to start: the connections keep trying, the
   * subscription is made once one opens (and again after each reconnection), and `ping` fails meanwhile.
   */
  static async open(url: string, onError: (err: Error) => void): Promise<RedisSignals> {
    const options = { retryStrategy: (times: number) => Math.min(times * 200, 2_000), maxRetriesPerRequest: 2 };
    const pub = new Redis(url, options);
    const sub = new Redis(url, options);
    // Pub/sub ignores the database number: the channel carries it, so deployments on one Redis keep apart.
    const channel = `benih:signals:${pub.options.db ?? 0}`;
    let reported = false;
    for (const r of [pub, sub]) {
      r.on("error", (err: Error) => {
        if (!reported) onError(err);
        reported = true;
      });
      r.on("ready", () => {
        reported = false;
      });
    }
    sub.subscribe(channel).catch((err: Error) => onError(err));
    return new RedisSignals(pub, sub, channel);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.pub.publish(this.channel, envelope.encode(channel, message));
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    return this.fanOut.add(channel, onMessage);
  }

  async ping(): Promise<void> {
    if (this.sub.status !== "ready") throw new Error(`Redis signals are not listening (${this.sub.status})`);
    await this.pub.ping();
  }

  async close(): Promise<void> {
    this.fanOut.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
