import { buildDataset, marketLanguages, writeDatasetDir, type BuiltInDataset } from "@benih/trainer";
import { UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { datasetBuild as spec } from "./commands.ts";

/** `benih dataset build --dataset cn --out DIR`: a built-in dataset as JSON lines, to read or edit and train on. */
export async function datasetCommand({ values }: Input<typeof spec.options>): Promise<void> {
  if (!values.dataset || !(values.dataset in marketLanguages))
    throw new UsageError(`--dataset must be one of ${Object.keys(marketLanguages).join(", ")}`);
  if (!values.out) throw new UsageError("--out DIR is required");
  const ds = buildDataset(values.dataset as BuiltInDataset);
  writeDatasetDir(values.out, ds);
  process.stdout.write(
    `wrote ${values.out}: train ${ds.train.length}, validation ${ds.validation.length}, eval ${ds.eval.length} examples\n`,
  );
}
