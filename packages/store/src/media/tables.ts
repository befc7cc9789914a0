export interface ImagesTable {
  id: string;
  owner: string | null;
  created_at: number;
  prompt: string;
  /** provider/model that drew it. */
  model: string;
  size: string;
  seed: number | null;
  mime: string;
  bytes: Buffer;
}

export interface VideoJobsTable {
  id: string;
  owner: string | null;
  created_at: number;
  updated_at: number;
  prompt: string;
  /** provider/model, or "slideshow" for the offline path. */
  model: string;
  /** The provider's task id, once submitted. */
  task: string | null;
  /** queued | running | succeeded | failed */
  state: string;
  /** 0–100. */
  progress: number;
  error: string | null;
  mime: string | null;
  bytes: Buffer | null;
  /** The instance working on the job, until `lease_until` (epoch ms); another takes it over after that. */
  lease_holder: string | null;
  lease_until: number | null;
}

/** This domain's part of the store's `Database`. */
export interface MediaTables {
  images: ImagesTable;
  video_jobs: VideoJobsTable;
}
