import { statSync } from "node:fs";
import type { RunModel } from "@benih/contracts";
import { fileSha256, readGgufHeader } from "@benih/gguf";

/**
 * What the agent reports of a finished run's model, read in its region: where it is, its size and SHA-256, and
 * whether it is a whole model or a LoRA adapter. A file that is not a GGUF returns why the run fails instead (a
 * command trainer's bug, to see at once rather than at promotion); no file: nothing to report.
 */
export async function describeModel(file: string | undefined): Promise<RunModel | string | undefined> {
  if (!file) return undefined;
  let type: unknown;
  try {
    type = readGgufHeader(file).metadata.get("general.type");
  } catch (err) {
    return `the run's model ${file} is not a GGUF file: ${(err as Error).message}`;
  }
  return { location: file, bytes: statSync(file).size, sha256: await fileSha256(file), kind: type === "adapter" ? "adapter" : "model" };
}
