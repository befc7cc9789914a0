// The entry of a JSON parser thread: loads TypeScript the way bin/benih.mjs does (tsx's loader), so the thread
// starts the same under `node --import tsx` (tests) and under the `benih` command.
import { setPriority } from "node:os";
import { register } from "tsx/esm/api";

// On Linux niceness is per thread, and pid 0 is this thread: heavy reading here yields the CPU to the thread that
// answers requests (elsewhere the call would lower the whole process, so it is not made).
if (process.platform === "linux") setPriority(0, 10);

register();
await import("./json-worker.ts");
