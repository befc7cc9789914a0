/**
 * Tool calls waiting for the person's OK, by answer and call. A call waits on the instance streaming its answer;
 * the person's decision reaches it there (POST …/tool-calls/{callId}, which checks they own the conversation).
 */
export class ToolConfirmations {
  private readonly waiting = new Map<string, { owner: string | null; decide(approve: boolean | undefined): void }>();

  /**
   * Waits for `owner` to approve or decline the call; undefined when they did not within `ms`, or when the
   * answer was stopped (`signal`).
   */
  ask(answerId: string, callId: string, owner: string | null, ms: number, signal: AbortSignal): Promise<boolean | undefined> {
    const key = `${answerId}/${callId}`;
    return new Promise((resolve) => {
      const decide = (approve: boolean | undefined) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", stopped);
        this.waiting.delete(key);
        resolve(approve);
      };
      const stopped = () => decide(undefined);
      const timer = setTimeout(stopped, ms);
      signal.addEventListener("abort", stopped, { once: true });
      this.waiting.set(key, { owner, decide });
      if (signal.aborted) stopped();
    });
  }

  /** Gives `owner`'s decision to the call waiting for it; false when none of theirs waits here. */
  answer(answerId: string, callId: string, owner: string | null, approve: boolean): boolean {
    const waiting = this.waiting.get(`${answerId}/${callId}`);
    if (!waiting || waiting.owner !== owner) return false;
    waiting.decide(approve);
    return true;
  }
}
