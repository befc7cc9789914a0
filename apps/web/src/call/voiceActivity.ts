/** What the detector decided about one block of samples. */
export type VoiceEvent = "start" | "end" | undefined;

export interface VoiceActivityOptions {
  /** How long speech must last before it counts (a cough or a click does not start a turn). */
  startMs: number;
  /** How long a pause ends a turn. */
  endMs: number;
  /** The quietest level ever counted as speech (RMS, 0..1). */
  minLevel: number;
  /** How far above the room's own noise speech must be. */
  overNoise: number;
}

const WARM_MS = 300;
const DEFAULTS: VoiceActivityOptions = { startMs: 150, endMs: 800, minLevel: 0.012, overNoise: 3 };

/**
 * Finds where someone starts and stops speaking, block by block, from loudness alone: speech is louder than the
 * room's noise (learnt in the first 300 ms, then followed slowly while nobody speaks) for `startMs`; a turn ends after `endMs` below it. Enough for a
 * voice call with echo cancellation on; a neural detector would do better in a noisy room.
 */
export class VoiceActivity {
  private readonly o: VoiceActivityOptions;
  private noise = 0;
  private loudMs = 0;
  private quietMs = 0;
  /** Time heard so far, up to the warm-up: the first moments only learn the room. */
  private heardMs = 0;
  speaking = false;

  constructor(options: Partial<VoiceActivityOptions> = {}) {
    this.o = { ...DEFAULTS, ...options };
  }

  /** The loudness (RMS) of one block of samples. */
  static level(samples: Float32Array): number {
    let sum = 0;
    for (const v of samples) sum += v * v;
    return Math.sqrt(sum / Math.max(1, samples.length));
  }

  /** Takes one block's loudness and how long it lasted; says when speech starts or ends. */
  push(level: number, ms: number): VoiceEvent {
    const loud = level > Math.max(this.o.minLevel, this.noise * this.o.overNoise);
    if (!this.speaking) {
      // The room's noise: quick to fall, slow to rise (quick in the first 300 ms), learnt while nobody speaks.
      const warming = this.heardMs < WARM_MS;
      this.heardMs += ms;
      this.noise = level < this.noise ? level : this.noise + (level - this.noise) * (warming ? 0.3 : 0.02);
      this.loudMs = loud && !warming ? this.loudMs + ms : 0;
      if (this.loudMs < this.o.startMs) return;
      this.speaking = true;
      this.quietMs = 0;
      return "start";
    }
    this.quietMs = loud ? 0 : this.quietMs + ms;
    if (this.quietMs < this.o.endMs) return;
    this.speaking = false;
    this.loudMs = 0;
    return "end";
  }
}
