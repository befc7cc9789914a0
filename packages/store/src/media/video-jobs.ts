import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { VideoJobsTable } from "./tables.ts";

export type VideoJob = Omit<Selectable<VideoJobsTable>, "bytes" | "lease_holder" | "lease_until">;
export type VideoState = "queued" | "running" | "succeeded" | "failed";

const info = ["id", "owner", "created_at", "updated_at", "prompt", "model", "task", "state", "progress", "error", "mime"] as const;

/** Video generation jobs: created, advanced by the server's poller, finished with the video's bytes or an error. */
export class VideoJobStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(j: { owner: string | null; prompt: string; model: string }, at = Date.now()): Promise<VideoJob> {
    const row = {
      id: `video-${randomUUID()}`,
      owner: j.owner,
      created_at: at,
      updated_at: at,
      prompt: j.prompt,
      model: j.model,
      task: null,
      state: "queued",
      progress: 0,
      error: null,
      mime: null,
      bytes: null,
      lease_holder: null,
      lease_until: null,
    };
    await this.db.insertInto("video_jobs").values(row).execute();
    const { bytes: _, lease_holder: _holder, lease_until: _until, ...job } = row;
    return job;
  }

  get(id: string, owner: string | null): Promise<VideoJob | undefined> {
    return this.db
      .selectFrom("video_jobs")
      .select(info)
      .where("id", "=", id)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
  }

  async content(id: string, owner: string | null): Promise<{ mime: string; bytes: Buffer } | undefined> {
    const r = await this.db
      .selectFrom("video_jobs")
      .select(["mime", "bytes"])
      .where("id", "=", id)
      .where("state", "=", "succeeded")
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return r?.bytes && r.mime ? { mime: r.mime, bytes: Buffer.from(r.bytes) } : undefined;
  }

  /** Jobs not yet ended, oldest first: what the poller works on (after a restart too). */
  unfinished(): Promise<VideoJob[]> {
    return this.db.selectFrom("video_jobs").select(info).where("state", "in", ["queued", "running"]).orderBy("created_at").execute();
  }

  /**
   * Takes (or renews) the lease on a job for `holder` until `ms` from now; false while another holds one that has
   * not run out. One statement, so two instances asking at once cannot both get it.
   */
  async lease(id: string, holder: string, ms: number, now = Date.now()): Promise<boolean> {
    const r = await this.db
      .updateTable("video_jobs")
      .set({ lease_holder: holder, lease_until: now + ms })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("lease_holder", "is", null), eb("lease_holder", "=", holder), eb("lease_until", "<", now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Gives up a holder's leases (it is stopping): another instance, or this one restarted, takes the jobs at once. */
  async releaseLeases(holder: string): Promise<void> {
    await this.db.updateTable("video_jobs").set({ lease_holder: null, lease_until: null }).where("lease_holder", "=", holder).execute();
  }

  async update(
    id: string,
    set: Partial<Pick<Selectable<VideoJobsTable>, "task" | "state" | "progress" | "error" | "mime" | "bytes">>,
    at = Date.now(),
  ): Promise<void> {
    await this.db
      .updateTable("video_jobs")
      .set({ ...set, updated_at: at })
      .where("id", "=", id)
      .execute();
  }
}
