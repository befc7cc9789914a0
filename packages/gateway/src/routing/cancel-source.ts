/**
 * "The client went away", as cheaply as possible: an AbortController costs several microseconds to create on
 * Node 20 and this exists for every request, while the event itself is rare. Attempts subscribe, and get an
 * AbortController of their own.
 */
export class CancelSource {
  aborted = false;
  private listeners: Array<() => void> = [];

  /** Calls `fn` once if the source is cancelled; returns the unsubscribe. */
  onCancel(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  cancel(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fns = this.listeners;
    this.listeners = [];
    for (const fn of fns) fn();
  }
}
