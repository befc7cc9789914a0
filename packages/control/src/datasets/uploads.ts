import { randomUUID } from "node:crypto";
import { pipeline, Transform, type Readable } from "node:stream";
import type { DatasetDelivered } from "@benih/contracts";
import { PlaneError } from "../errors.ts";

/** Uploads one instance streams through at once: each holds a request open and, in its region, a check's thread. */
const MAX_UPLOADS = 4;

interface Pending {
  region: string;
  body: Readable;
  maxBytes: number;
  taken: boolean;
  /** What the agent reads, once it came. */
  out?: Readable;
  /** The uploader sent more than `maxBytes` (with no Content-Length to refuse it by). */
  overflowed?: boolean;
  picked: () => void;
  delivered: (d: DatasetDelivered) => void;
}

/**
 * Where an upload waits for its region's agent: the uploader's request body, unread, until the agent asks for it
 * (GET /control/v1/uploads/:id) and it is streamed straight through; then the agent's report. Nothing of it is
 * written here. Uploads live on the instance that took the request.
 */
export class UploadDesk {
  private readonly pending = new Map<string, Pending>();

  /**
   * Parks `body` for an agent of `region`; `picked` settles when an agent starts reading it, `delivered` with its
   * report. Call `close(id)` once the uploader has its answer.
   */
  open(region: string, body: Readable, maxBytes: number): { id: string; picked: Promise<void>; delivered: Promise<DatasetDelivered> } {
    if (this.pending.size >= MAX_UPLOADS)
      throw new PlaneError(429, `${MAX_UPLOADS} uploads are under way on this server; upload again when one has finished`);
    const id = `upload-${randomUUID()}`;
    let picked!: () => void;
    let delivered!: (d: DatasetDelivered) => void;
    const p = {
      picked: new Promise<void>((r) => (picked = r)),
      delivered: new Promise<DatasetDelivered>((r) => (delivered = r)),
    };
    this.pending.set(id, { region, body, maxBytes, taken: false, picked, delivered });
    return { id, ...p };
  }

  /** The upload's bytes for the agent of `region`, once; cut with an error past the upload's `maxBytes`. */
  take(id: string, region: string): Readable {
    const p = this.pending.get(id);
    if (!p) throw new PlaneError(404, `no upload ${id} waits here`);
    if (p.region !== region) throw new PlaneError(403, `upload ${id} is for region ${p.region}, not ${region}`);
    if (p.taken) throw new PlaneError(409, `upload ${id} is being read already`);
    p.taken = true;
    p.picked();
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > p.maxBytes) p.overflowed = true;
        done(p.overflowed ? new Error(`the upload is larger than ${p.maxBytes} bytes`) : null, chunk);
      },
    });
    // The agent's read ends with an error when the uploader goes away, or went before it came.
    if (p.body.destroyed || p.body.readableAborted) limit.destroy(new Error("the uploader went away"));
    else pipeline(p.body, limit, () => {});
    p.out = limit;
    return limit;
  }

  /** The agent's report of upload `id`, from an agent of its region. */
  deliver(id: string, region: string, d: DatasetDelivered): void {
    const p = this.pending.get(id);
    if (!p) throw new PlaneError(404, `no upload ${id} waits here`);
    if (p.region !== region) throw new PlaneError(403, `upload ${id} is for region ${p.region}, not ${region}`);
    p.delivered(d);
  }

  /** Whether the uploader sent more than the most an upload may have. */
  overflowed(id: string): boolean {
    return this.pending.get(id)?.overflowed === true;
  }

  /** Forgets upload `id`: an agent still reading it gets an error rather than waiting for bytes that will not come. */
  close(id: string): void {
    const out = this.pending.get(id)?.out;
    if (out && !out.readableEnded) out.destroy(new Error("the upload was given up"));
    this.pending.delete(id);
  }
}
