import { buildDataset, marketLanguages, writeDatasetDir, type Market } from "@benih/trainer";
import { parse, UsageError } from "./args.ts";

/** `benih dataset build --dataset cn --out DIR`: a built-in dataset as JSON lines, to read or edit and train on. */
export async function datasetCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "build") throw new UsageError("usage: benih dataset build --dataset cn|global --out DIR");
  const { values } = parse(rest, { dataset: { type: "string" }, out: { type: "string" } });
  if (!values.dataset || !(values.dataset in marketLanguages) || !values.out) throw new UsageError("usage: benih dataset build --dataset cn|global --out DIR");
  const ds = buildDataset(values.dataset as Market);
  writeDatasetDir(values.out, ds);
  process.stdout.write(`wrote ${values.out}: train ${ds.train.length}, validation ${ds.validation.length}, eval ${ds.eval.length} examples\n`);
}
