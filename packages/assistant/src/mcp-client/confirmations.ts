import { signalChannels, type Signals } from "@benih/contracts";
import type { ConversationStore } from "@benih/store";

/** How often a waiting call reads the store for its decision (the signal that wakes it sooner may be lost). */
const POLL_MS = 1000;

/**
 * Tool calls waiting for the person's OK, on any instance that shares the store. The instance streaming the answer
 * records the wait in the store (`waitForToolCall`); the person's decision (POST …/tool-calls/{callId}, which checks
 * they own the conversation) may reach any instance, which records it there if the call still waits and is theirs,
 * then wakes the waiting instance with a signal. That instance also reads the store about once a second while it
 * waits, so a lost signal costs at most that. The wait's row goes when the wait ends (decided, timed out, stopped).
 */
export class ToolConfirmations {
  /** The calls waiting here, by `<answer id>/<call id>`: each read again when woken. */
  private readonly waiting = new Map<string, () => void>();
  private unsubscribe?: () => Promise<void>;

  constructor(
    private readonly signals: Signals,
    private readonly o: { pollMs?: number } = {},
  ) {}

  /** Listens for decisions given on other instances; resolves once listening. */
  async listen(): Promise<void> {
    this.unsubscribe = await this.signals.subscribe(signalChannels.toolCallDecided, (key) => this.waiting.get(key)?.());
  }

  /**
   * Waits for `owner` to approve or decline the call; undefined when they did not within `ms`, or when the answer
   * was stopped (`signal`). Rejects when the wait cannot be recorded in `store`.
   */
  async ask(
    store: ConversationStore,
    answerId: string,
    callId: string,
    owner: string | null,
    ms: number,
    signal: AbortSignal,
  ): Promise<boolean | undefined> {
    if (signal.aborted) return undefined;
    const key = `${answerId}/${callId}`;
    await store.waitForToolCall({ messageId: answerId, callId, owner, expiresAt: Date.now() + ms });
    return new Promise((resolve) => {
      let ended = false;
      let reading = false;
      let again = false;
      /** Ends the wait: its row goes, and a decision recorded before that is kept, unless the answer was stopped. */
      const end = async (stopped: boolean, known?: boolean) => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        clearInterval(poll);
        signal.removeEventListener("abort", onAbort);
        this.waiting.delete(key);
        const taken = await store.endToolCallWait(answerId, callId).catch(() => known);
        resolve(stopped ? undefined : (taken ?? known));
      };
      /** Reads the store for a decision; a wake-up while it reads reads again after. */
      const read = async () => {
        if (ended) return;
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const decision = await store.toolCallDecision(answerId, callId).catch(() => undefined);
            if (decision !== undefined) return void (await end(false, decision));
          } while (again && !ended);
        } finally {
          reading = false;
        }
      };
      const onAbort = () => void end(true);
      const timer = setTimeout(() => void end(false), ms);
      const poll = setInterval(() => void read(), this.o.pollMs ?? POLL_MS);
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.set(key, () => void read());
      if (signal.aborted) onAbort();
    });
  }

  /**
   * Records `owner`'s decision on the call if it still waits for them, and wakes the instance where it waits;
   * false when no call of theirs waits (decided already, timed out, its answer ended, or another person's). A signal
   * that cannot be sent is no failure (the waiting instance reads the store anyway).
   */
  async answer(store: ConversationStore, answerId: string, callId: string, owner: string | null, approve: boolean): Promise<boolean> {
    if (!(await store.decideToolCall(answerId, callId, owner, approve))) return false;
    const key = `${answerId}/${callId}`;
    const here = this.waiting.get(key);
    if (here) here();
    else await this.signals.publish(signalChannels.toolCallDecided, key).catch(() => {});
    return true;
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }
}
