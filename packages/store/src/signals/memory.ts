import type { Signals, Unsubscribe } from "@benih/contracts";
import { FanOut } from "./fan-out.ts";

/** Signals within one process: what a single instance uses. */
export class MemorySignals implements Signals {
  private readonly fanOut = new FanOut();

  async publish(channel: string, message: string): Promise<void> {
    this.fanOut.deliver(channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    return this.fanOut.add(channel, onMessage);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.fanOut.clear();
  }
}
