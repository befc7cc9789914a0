// The entry of the thread that checks an uploaded dataset (see check-in-thread.ts). It loads TypeScript the way
// bin/benih.mjs does, through tsx's loader, so it starts the same under `node --import tsx` (tests) and `benih`.
import { setPriority } from "node:os";
import { register } from "tsx/esm/api";

// Niceness is per thread on Linux: checking yields the CPU to the thread that answers requests.
if (process.platform === "linux") setPriority(0, 10);
register();
await import("./check-worker.ts");
