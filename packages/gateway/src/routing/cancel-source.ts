/**
 * "The client went away", as cheaply as possible: an AbortController costs several microseconds to create on
 * Node 20 and this exists for every request, while the event itself is rare. Attempts subscribe, and get an
 * AbortController of their own.
 */
export class CancelSource {
  aborted = false;
  private listeners: Array<() => void> = [];
  /** Pairs of a controller and what it is aborted with. */
  private links: Array<AbortController | (() => Error)> = [];

  /** Calls `fn` once if the source is cancelled; returns the unsubscribe. */
  onCancel(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Aborts `controller` with `reason()` if the source is cancelled, until `unlink`. Cheaper than `onCancel` per request. */
  link(controller: AbortController, reason: () => Error): void {
    this.links.push(controller, reason);
  }

  unlink(controller: AbortController): void {
    const i = this.links.indexOf(controller);
    if (i >= 0) this.links.splice(i, 2);
  }

  cancel(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fns = this.listeners;
    this.listeners = [];
    const links = this.links;
    this.links = [];
    for (let i = 0; i < links.length; i += 2) (links[i] as AbortController).abort((links[i + 1] as () => Error)());
    for (const fn of fns) fn();
  }
}
