import { parentPort, workerData } from "node:worker_threads";
import { checkDatasetFile, type CheckLimits } from "./check.ts";

const { file, limits } = workerData as { file: string; limits: CheckLimits };
checkDatasetFile(file, limits).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (err: Error) => parentPort!.postMessage({ ok: false, message: err.message }),
);
