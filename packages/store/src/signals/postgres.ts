import type { Signals, Unsubscribe } from "@benih/contracts";
import pg from "pg";
import { envelope, FanOut } from "./fan-out.ts";

const CHANNEL = "benih_signals";
/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more. */
const MAX_PAYLOAD = 7_900;

/**
 * Signals between instances over PostgreSQL LISTEN/NOTIFY (DATABASE_URL without REDIS_URL): one connection of its
 * own listens, and is opened again, with a growing pause, whenever it drops.
 */
export class PostgresSignals implements Signals {
  private readonly fanOut = new FanOut();
  private listener?: pg.Client;
  private closed = false;
  private retries = 0;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Connects and listens; rejects when PostgreSQL does not answer. */
  static async open(url: string, onError: (err: Error) => void): Promise<PostgresSignals> {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on("error", onError);
    const s = new PostgresSignals(url, pool, onError);
    try {
      await s.listen();
    } catch (err) {
      await pool.end();
      throw err;
    }
    return s;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("notification", (n) => {
      const m = n.channel === CHANNEL && n.payload ? envelope.decode(n.payload) : undefined;
      if (m) this.fanOut.deliver(m[0], m[1]);
    });
    client.on("error", (err) => {
      this.onError(err);
      this.relisten(client);
    });
    client.on("end", () => this.relisten(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    // Closed meanwhile: this connection is not wanted any more.
    if (this.closed) return void (await client.end().catch(() => {}));
    this.listener = client;
    this.retries = 0;
  }

  /** The listening connection dropped: forget it and listen again after a pause that grows while it fails. */
  private relisten(dropped: pg.Client): void {
    if (this.listener !== dropped) return;
    this.listener = undefined;
    dropped.end().catch(() => {});
    this.retryListen();
  }

  private retryListen(): void {
    if (this.closed) return;
    setTimeout(
      () => {
        if (this.closed || this.listener) return;
        this.listen().catch((err: Error) => {
          this.onError(err);
          this.retryListen();
        });
      },
      Math.min(2_000, 100 * 2 ** this.retries++),
    ).unref();
  }

  async publish(channel: string, message: string): Promise<void> {
    const payload = envelope.encode(channel, message);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error(`signal on ${channel} is over ${MAX_PAYLOAD} bytes`);
    await this.pool.query("select pg_notify($1, $2)", [CHANNEL, payload]);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    return this.fanOut.add(channel, onMessage);
  }

  async ping(): Promise<void> {
    if (!this.listener) throw new Error("PostgreSQL signals are not listening: their connection is being opened again");
    await this.pool.query("select 1");
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fanOut.clear();
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }
}
