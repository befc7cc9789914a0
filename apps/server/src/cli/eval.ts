import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
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
  type KindScore,
  type LoraSettings,
} from "@benih/trainer";
import type { RunScore, RunScores } from "@benih/contracts";
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

/** A run's evaluation: exact- and contains-match per language and kind, and the answers' validation perplexity. */
export interface RunEvaluation {
  gguf: string;
  dataset: string;
  kinds: KindScore[];
  /** Undefined when the run was trained on another dataset (another tokenizer): it cannot read this one. */
  perplexity?: number;
  validation: number;
}

/**
 * Scores a finished run's exported GGUF on the held-out phrasings (through llama.cpp), tool calls turn by turn, and
 * the answers' perplexity on the validation split; at most `limit` examples of each, evenly spread.
 */
export async function evaluateRun(runDir: string, datasetName: string, limit: number, quiet = false): Promise<RunEvaluation> {
  // The newest model, where a run finished more than once (each export is named by its day).
  const newest = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".gguf"))
      .sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs)[0];
  const gguf = existsSync(runDir) ? newest(runDir) : undefined;
  if (!gguf) throw new Error(`${runDir} holds no exported model (.gguf): finish the run with \`benih train\` first`);
  const ckptPath = join(runDir, "checkpoint.bin");
  const ck = readCheckpoint(ckptPath);
  const recipe = recipes[ck.header.recipe];
  if (!recipe) throw new Error(`${ckptPath} is from recipe "${ck.header.recipe}", which this benih does not know`);
  const dataset = loadDataset(datasetName);
  const examples = spread(dataset.eval, limit);
  if (!examples.length) throw new Error(`dataset ${dataset.name} has no eval examples (eval.jsonl)`);
  // A LoRA run's export is an adapter: it is scored on the base it was trained on, which must be unchanged.
  const base = ck.header.lora && ck.header.base?.file ? loadBaseModel(ck.header.base.file) : undefined;
  if (base && base.sha256 !== ck.header.base!.sha256)
    throw new Error(
      `${ckptPath} was trained on another version of ${base.file} (sha256 ${ck.header.base!.sha256.slice(0, 12)}…, now ${base.sha256.slice(0, 12)}…)`,
    );
  const lora = ck.header.lora && base ? new LoraLayout(base.config, ck.header.lora as LoraSettings) : undefined;
  const model = lora && base ? await ggufCompletion(base.file, join(runDir, gguf)) : await ggufCompletion(join(runDir, gguf));
  let kinds: KindScore[];
  try {
    kinds = await scoreByKind(examples, model.complete, quiet ? undefined : progress("answering held-out questions"));
  } finally {
    await model.close();
  }
  // A run from a GGUF kept that file's tokenizer, which its own export carries.
  const tokenizer = base?.tokenizer ?? (ck.header.base ? loadBaseModel(join(runDir, gguf)).tokenizer : undefined);
  const prepared = prepare(dataset, recipe, tokenizer);
  // Another market's data comes with another tokenizer: the model cannot read it, so perplexity means nothing.
  if (prepared.hash !== ck.header.tokenizerHash) return { gguf, dataset: dataset.name, kinds, validation: 0 };
  const validation = spread(prepared.dataset.validation, limit);
  // A dataset without a validation split (an upload of train and eval only) has no perplexity to give.
  if (!validation.length) return { gguf, dataset: dataset.name, kinds, validation: 0 };
  let params = ck.params;
  if (lora && base) {
    params = new Float32Array(base.params.length);
    lora.merge(base.params, ck.params, params);
  }
  const trained = createModel(ck.header.config, 1, recipe.train.seqLen, params);
  const perplexity = answerPerplexity(
    trained,
    prepared.tokenizer,
    validation,
    quiet ? undefined : progress("validation perplexity (tokens)"),
  );
  return { gguf, dataset: dataset.name, kinds, perplexity, validation: validation.length };
}

/**
 * An evaluation as the scores a run reports (`scores.json`): exact match per language and kind and over all, as
 * fractions, the right first tool call where a kind has tools, and the validation perplexity.
 */
export function asRunScores(e: RunEvaluation): RunScore[] {
  const scores: RunScore[] = [];
  for (const k of e.kinds) {
    scores.push({ name: `${k.lang}/${k.kind} exact`, value: k.exact / k.total, count: k.total });
    if (k.calls !== undefined) scores.push({ name: `${k.lang}/${k.kind} tool call`, value: k.calls / k.total, count: k.total });
  }
  const total = e.kinds.reduce((n, k) => n + k.total, 0);
  scores.push({ name: "all exact", value: e.kinds.reduce((n, k) => n + k.exact, 0) / total, count: total });
  if (e.perplexity !== undefined) scores.push({ name: "validation perplexity", value: e.perplexity, count: e.validation });
  // A dataset of many kinds (or long kind names) still makes a scores.json a run can send: the first 200, named in 80.
  return scores.slice(0, 200).map((s) => ({ ...s, name: s.name.slice(0, 80) }));
}

/**
 * `benih eval --run DIR --dataset cn`: exact- and contains-match of the run's exported GGUF on the held-out
 * phrasings (through llama.cpp), per language and kind, tool calls scored turn by turn, and the answers'
 * perplexity on the validation split. --limit bounds both; progress goes to stderr; --scores FILE also writes
 * them as a run's scores.json.
 */
export async function evalCommand({ values }: Input<typeof spec.options>): Promise<void> {
  if (!values.run || !values.dataset)
    throw new UsageError(`missing ${[!values.run && "--run", !values.dataset && "--dataset"].filter(Boolean).join(", ")}`);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit > 0 && (limit === Infinity || Number.isInteger(limit)))) throw new UsageError("--limit takes a positive integer");
  const e = await evaluateRun(values.run, values.dataset, limit);
  const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
  process.stdout.write(`held-out phrasings of the ${e.dataset} eval set (${e.gguf}):\n`);
  for (const lang of new Set(e.kinds.map((s) => s.lang))) {
    const of = e.kinds.filter((s) => s.lang === lang);
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
  process.stdout.write(
    e.perplexity === undefined
      ? `validation: perplexity skipped (the run was trained on another dataset, with another tokenizer)\n`
      : `validation: answer perplexity ${e.perplexity.toFixed(3)} (${e.validation} examples)\n`,
  );
  if (values.scores) writeFileSync(values.scores, `${JSON.stringify({ scores: asRunScores(e) } satisfies RunScores, null, 1)}\n`);
}
