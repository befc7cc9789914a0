import type { FastifyReply } from "fastify";
import type { Principal } from "./auth.ts";

/**
 * The open requests (streams, long model calls) of each key or session. Once a second, while any are open, each
 * one's credential is looked up again in the store; a request whose key was revoked or whose person was disabled,
 * on this instance or any other sharing the store, is ended there and then.
 */
export class LiveRequests {
  private readonly open = new Map<string, { principal: Principal; replies: Set<FastifyReply> }>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly stillLive: (p: Principal) => Promise<boolean>,
    private readonly everyMs = 1_000,
  ) {}

  watch(principal: Principal, reply: FastifyReply): void {
    const entry = this.open.get(principal.credential) ?? { principal, replies: new Set<FastifyReply>() };
    this.open.set(principal.credential, entry);
    entry.replies.add(reply);
    reply.raw.once("close", () => {
      entry.replies.delete(reply);
      if (!entry.replies.size && this.open.get(principal.credential) === entry) this.open.delete(principal.credential);
      if (!this.open.size) this.stop();
    });
    this.timer ??= setInterval(() => void this.check(), this.everyMs).unref();
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const [credential, entry] of [...this.open]) {
        if (await this.stillLive(entry.principal)) continue;
        this.open.delete(credential);
        // Ends the response as a dropped connection would: the model call behind it is aborted by its close.
        for (const reply of entry.replies) reply.raw.destroy();
      }
    } finally {
      this.checking = false;
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    this.open.clear();
  }
}
