import { apiError, authed } from "../api/http.ts";

/** The speech model every server has: espeak-ng speaks the market's language without a provider. */
export const OFFLINE_SPEECH_MODEL = "espeak-ng";

/** One sentence as audio (an object URL to play), from the server's `/v1/audio/speech`. */
async function speak(model: string, input: string, signal: AbortSignal): Promise<string> {
  const res = await authed("/v1/audio/speech", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, input, voice: "nova", response_format: "mp3" }),
    signal,
  });
  if (!res.ok) throw await apiError(res);
  return URL.createObjectURL(await res.blob());
}

/**
 * Speaks sentences one after another through an audio element, as they are given: the next sentence's audio is made
 * while the current one plays, so a streaming answer is heard as it is written. `done` settles once `end()` was
 * called and all was said (or `stop()` cut it short); it rejects if a sentence could not be made.
 */
export class Speaker {
  private readonly parts: string[] = [];
  private ended = false;
  private readonly stopper = new AbortController();
  private wake?: () => void;
  readonly done: Promise<void>;

  constructor(
    private readonly audio: HTMLAudioElement,
    private readonly model: string = OFFLINE_SPEECH_MODEL,
  ) {
    this.done = this.run();
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  /** More sentences to say, after those given before. */
  say(parts: readonly string[]): void {
    this.parts.push(...parts);
    this.wake?.();
  }

  /** No more sentences will come: `done` settles when these are said. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** Stops at once: the sentence playing is cut, the rest are not said. */
  stop(): void {
    this.stopper.abort();
    this.audio.pause();
    this.wake?.();
  }

  private make(): Promise<string> | undefined {
    const sentence = this.parts.shift();
    return sentence === undefined ? undefined : speak(this.model, sentence, this.stopper.signal);
  }

  private async play(url: string): Promise<void> {
    const el = this.audio;
    const signal = this.stopper.signal;
    let stopped = () => {};
    try {
      el.src = url;
      await el.play();
      // Until it ends, fails to decode, or is stopped (also between play() resolving and here).
      await new Promise<void>((resolve, reject) => {
        stopped = resolve;
        el.onended = () => resolve();
        el.onerror = () => reject(new Error(el.error?.message || "the audio could not be played"));
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", stopped, { once: true });
      });
    } finally {
      signal.removeEventListener("abort", stopped);
      el.onended = el.onerror = null;
      URL.revokeObjectURL(url);
    }
  }

  private async run(): Promise<void> {
    let next: Promise<string> | undefined;
    try {
      for (;;) {
        if (this.stopped) return;
        const current = next ?? this.make();
        next = undefined;
        if (!current) {
          if (this.ended) return;
          await new Promise<void>((r) => (this.wake = r));
          continue;
        }
        const url = await current;
        next = this.make();
        if (this.stopped) return URL.revokeObjectURL(url);
        await this.play(url);
      }
    } catch (err) {
      if (!this.stopped) throw err;
    } finally {
      // A sentence made for nothing is let go too.
      next?.then(URL.revokeObjectURL, () => {});
    }
  }
}
