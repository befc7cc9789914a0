import { randomUUID } from "node:crypto";
import type { VideoJob, VideoJobStore } from "@benih/store";
import { FetchRefused } from "../web/safe-fetch.ts";
import { downloadVideo, submitVideo, videoStatus, type VideoModelConfig } from "./providers.ts";
import { slideshow } from "./slideshow.ts";

export const SLIDESHOW = "slideshow";

/**
 * Moves video jobs forward: submits queued ones, polls running ones, and keeps the finished video. Jobs live in
 * the stores, so after a restart the runner finds them and goes on polling where it left off (a slideshow cut off
 * mid-render is rendered again). One job is worked on at a time: by one instance, the holder of its lease (renewed
 * on every tick while it works), and within it once.
 */
export class VideoRunner {
  private readonly busy = new Set<string>();
  private timer?: NodeJS.Timeout;
  /** This runner, as lease holder. */
  private readonly holder: string;

  constructor(
    private readonly o: {
      stores: () => Iterable<VideoJobStore>;
      models: readonly VideoModelConfig[];
      /** Hosts (host or host:port) a provider's video URL may point at although they are inside the network. */
      fetchAllow?: readonly string[];
      intervalMs?: number;
      /** How long a lease lasts unrenewed: how soon another instance takes over a dead one's jobs. Default 60 s. */
      leaseMs?: number;
      ffmpeg?: string;
      log?: (msg: string, err?: unknown) => void;
      /** Who holds this runner's leases (the instance); a name of its own when left out. */
      holder?: string;
    },
  ) {
    this.holder = o.holder ?? randomUUID();
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 2000);
    this.timer.unref();
    void this.tick();
  }

  /** Stops ticking and gives up this runner's leases, so a restart or another instance goes on at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const store of this.o.stores()) await store.releaseLeases(this.holder).catch(() => {});
  }

  async tick(): Promise<void> {
    for (const store of this.o.stores()) {
      for (const job of await store.unfinished()) {
        // Renewed while this runner works on it; taken only when no other instance holds it.
        const held = await store.lease(job.id, this.holder, this.o.leaseMs ?? 60_000);
        if (!held || this.busy.has(job.id)) continue;
        this.busy.add(job.id);
        void this.advance(store, job).finally(() => this.busy.delete(job.id));
      }
    }
  }

  private async advance(store: VideoJobStore, job: VideoJob): Promise<void> {
    try {
      if (job.model === SLIDESHOW) {
        await store.update(job.id, { state: "running", progress: 10 });
        const bytes = await slideshow(job.prompt, this.o.ffmpeg);
        await store.update(job.id, { state: "succeeded", progress: 100, mime: "video/mp4", bytes });
        return;
      }
      const model = this.o.models.find((m) => `${m.name}/${m.model}` === job.model);
      if (!model)
        return void (await store.update(job.id, { state: "failed", error: `the video model ${job.model} is no longer configured` }));
      if (!job.task) {
        const task = await submitVideo(model, job.prompt);
        await store.update(job.id, { task, state: "running", progress: 0 });
        return;
      }
      const status = await videoStatus(model, job.task);
      if (status.state === "failed")
        return void (await store.update(job.id, { state: "failed", error: status.error ?? "the provider reported a failure" }));
      if (status.state !== "succeeded")
        return void (status.progress !== job.progress && (await store.update(job.id, { state: "running", progress: status.progress })));
      let bytes: Buffer;
      try {
        bytes = await downloadVideo(model, job.task, status, { allow: this.o.fetchAllow ?? [] });
      } catch (err) {
        // A URL the guard refuses, or a video over the size limit, stays so: the job fails rather than retrying.
        if (err instanceof FetchRefused && !err.retryable)
          return void (await store.update(job.id, { state: "failed", error: `the video could not be downloaded: ${err.message}` }));
        throw err;
      }
      await store.update(job.id, { state: "succeeded", progress: 100, mime: "video/mp4", bytes });
    } catch (err) {
      // Submitting or polling can fail for a while (the provider is down, a network blip): the next tick retries.
      // A slideshow that fails has nothing to wait for.
      if (job.model === SLIDESHOW) await store.update(job.id, { state: "failed", error: (err as Error).message });
      else this.o.log?.(`video job ${job.id}: ${(err as Error).message}`, err);
    }
  }
}
