import { signalChannels, type Signals } from "@benih/contracts";

/**
 * "Stop" for answers streaming on any instance that shares the store: the instance streaming an answer holds its
 * controller here, and a stop asked for on any instance (this one too) reaches it as a signal and aborts it, which
 * ends the model call upstream and saves the answer as far as it came ("stopped"). The stop is also kept in the
 * store (`requestStop`), where the streaming instance finds it at its next write if the signal was lost.
 */
export class AnswerStops {
  private readonly streaming = new Map<string, AbortController>();
  private unsubscribe?: () => Promise<void>;

  constructor(private readonly signals: Signals) {}

  /** Listens for stops; resolves once listening. */
  async listen(): Promise<void> {
    this.unsubscribe = await this.signals.subscribe(signalChannels.stopAnswer, (id) => this.streaming.get(id)?.abort());
  }

  /** Holds the controller of the answer `id` streaming here, until the returned function lets it go. */
  track(id: string, controller: AbortController): () => void {
    this.streaming.set(id, controller);
    return () => {
      if (this.streaming.get(id) === controller) this.streaming.delete(id);
    };
  }

  /**
   * Stops the answer `id` here if it streams here, else tells the other instances; a signal that cannot be sent is
   * no failure (the stop kept in the store reaches the answer at its next write).
   */
  async stop(id: string): Promise<void> {
    const here = this.streaming.get(id);
    if (here) return here.abort();
    await this.signals.publish(signalChannels.stopAnswer, id).catch(() => {});
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }
}
