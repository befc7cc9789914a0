import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  answerPerplexity,
  createModel,
  loadBaseModel,
  loadDataset,
  LoraLayout,
  prepare,
  readCheckpoint,
  recipes,
  scoreByKind,
  type LoraSettings,
} from "@benih/trainer";
import { UsageError } from "./args.ts";
import { ggufCompletion } from "./eval-completion.ts";
import { progress } from "./progress.ts";
import type { Input } from "./command.ts";
import type { evaluate as spec } from "./commands.ts";

/** At most `limit` of `list`, evenly spaced: every kind and language of a split grouped by them gets its share. */
function spread<T>(list: T[], limit: number): T[] {
  if (list.length <= limit) return list;
  return Array.from({ length: limit }, (_, i) => list[Math.floor((i * list.length) / limit)]!);
}

/**
 * `benih eval --run DIR --dataset cn`: exact- and contains-match of the run's exported GGUF on the held-out
 * phrasings (through llama.cpp), per language and kind, tool calls scored turn by turn, and the answers'
 * perplexity on the validation split.
 * --limit bounds both; progress goes to stderr.
 */
export async function evalCommand({ values }: Input<typeof spec.options>): Promise<void> {
  if (!values.run || !values.dataset)
    throw new UsageError(`missing ${[!values.run && "--run", !values.dataset && "--dataset"].filter(Boolean).join(", ")}`);
  // The newest model, where a run finished more than once (each export is named by its day).
  const newest = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".gguf"))
      .sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs)[0];
  const gguf = existsSync(values.run) ? newest(values.run) : undefined;
  if (!gguf) throw new Error(`${values.run} holds no exported model (.gguf): finish the run with \`benih train\` first`);
  const ckptPath = join(values.run, "checkpoint.bin");
  const ck = readCheckpoint(ckptPath);
  const recipe = recipes[ck.header.recipe];
  if (!recipe) throw new Error(`${ckptPath} is from recipe "${ck.header.recipe}", which this benih does not know`);

  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit > 0 && (limit === Infinity || Number.isInteger(limit)))) throw new UsageError("--limit takes a positive integer");
  const dataset = loadDataset(values.dataset);
  const examples = spread(dataset.eval, limit);
  if (!examples.length) throw new Error(`dataset ${dataset.name} has no eval examples (eval.jsonl)`);
  // A LoRA run's export is an adapter: it is scored on the base it was trained on, which must be unchanged.
  const base = ck.header.lora && ck.header.base?.file ? loadBaseModel(ck.header.base.file) : undefined;
  if (base && base.sha256 !== ck.header.base!.sha256)
    throw new Error(
      `${ckptPath} was trained on another version of ${base.file} (sha256 ${ck.header.base!.sha256.slice(0, 12)}…, now ${base.sha256.slice(0, 12)}…)`,
    );
  const lora = ck.header.lora && base ? new LoraLayout(base.config, ck.header.lora as LoraSettings) : undefined;
  const model = lora && base ? await ggufCompletion(base.file, join(values.run, gguf)) : await ggufCompletion(join(values.run, gguf));
  try {
    const scores = await scoreByKind(examples, model.complete, progress("answering held-out questions"));
    const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
    process.stdout.write(`held-out phrasings of the ${dataset.name} eval set (${gguf}):\n`);
    for (const lang of new Set(scores.map((s) => s.lang))) {
      const of = scores.filter((s) => s.lang === lang);
      const [total, exact, contains] = ["total", "exact", "contains"].map((k) => of.reduce((n, s) => n + s[k as "total"], 0)) as [
        number,
        number,
        number,
      ];
      process.stdout.write(`  ${lang}: exact ${pct(exact, total)}  contains ${pct(contains, total)}  (${total} questions)\n`);
      for (const s of of) {
        const calls = s.calls === undefined ? "" : `  tool call ${pct(s.calls, s.total)}`;
        process.stdout.write(`    ${s.kind}: exact ${pct(s.exact, s.total)}  contains ${pct(s.contains, s.total)}${calls}  (${s.total})\n`);
      }
    }
  } finally {
    await model.close();
  }
  // A run from a GGUF kept that file's tokenizer, which its own export carries.
  const tokenizer = base?.tokenizer ?? (ck.header.base ? loadBaseModel(join(values.run, gguf)).tokenizer : undefined);
  const prepared = prepare(dataset, recipe, tokenizer);
  if (prepared.hash !== ck.header.tokenizerHash) {
    // Another market's data comes with another tokenizer: the model cannot read it, so perplexity means nothing.
    process.stdout.write(`validation: perplexity skipped (the run was trained on another dataset, with another tokenizer)\n`);
    return;
  }
  let params = ck.params;
  if (lora && base) {
    params = new Float32Array(base.params.length);
    lora.merge(base.params, ck.params, params);
  }
  const trained = createModel(ck.header.config, 1, recipe.train.seqLen, params);
  const validation = spread(prepared.dataset.validation, limit);
  const ppl = answerPerplexity(trained, prepared.tokenizer, validation, progress("validation perplexity (tokens)"));
  process.stdout.write(`validation: answer perplexity ${ppl.toFixed(3)} (${validation.length} examples)\n`);
}
