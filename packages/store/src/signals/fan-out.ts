import type { Unsubscribe } from "@benih/contracts";

/**
 * The subscribers of this instance, by channel. Transports carry every signal on one channel of their own and hand
 * each to `deliver`, so an instance subscribes to the transport once, whatever number of channels it listens on.
 */
export class FanOut {
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  add(channel: string, onMessage: (message: string) => void): Unsubscribe {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    const own = (m: string) => onMessage(m);
    set.add(own);
    return async () => {
      set.delete(own);
      if (!set.size && this.handlers.get(channel) === set) this.handlers.delete(channel);
    };
  }

  /** Hands a message to the channel's subscribers, each in its own task so that one throwing harms no other. */
  deliver(channel: string, message: string): void {
    for (const h of [...(this.handlers.get(channel) ?? [])]) queueMicrotask(() => h(message));
  }

  clear(): void {
    this.handlers.clear();
  }
}

/** What a transport carries: the channel and the message, in one string. */
export const envelope = {
  encode: (channel: string, message: string) => JSON.stringify([channel, message]),
  decode(raw: string): [string, string] | undefined {
    try {
      const v = JSON.parse(raw) as unknown;
      return Array.isArray(v) && typeof v[0] === "string" && typeof v[1] === "string" ? [v[0], v[1]] : undefined;
    } catch {
      return undefined;
    }
  },
};
