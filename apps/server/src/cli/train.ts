import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { pickEngine, recipes, train } from "@benih/trainer";
import { UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { train as spec } from "./commands.ts";

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** `benih train --recipe tiny --dataset cn|global|DIR`: resumable; SIGTERM or Ctrl+C checkpoints and exits 0. */
export async function trainCommand({ values, env }: Input<typeof spec.options>): Promise<void> {
  const recipe = recipes[values.recipe!];
  if (!recipe) throw new UsageError(`unknown recipe "${values.recipe}"; recipes: ${Object.keys(recipes).join(", ")}`);
  if (!values.dataset) throw new UsageError("--dataset must be cn, global, or a folder holding train.jsonl");
  // Without --steps, the recipe's on this data (a recipe with epochs knows them once the data is read).
  let steps = values.steps === undefined ? undefined : Number(values.steps);
  const every = Number(values["checkpoint-every"]);
  const evalLimit = values["eval-limit"] === undefined ? undefined : Number(values["eval-limit"]);
  if (
    (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) ||
    !Number.isInteger(every) ||
    every < 1 ||
    (evalLimit !== undefined && (!Number.isInteger(evalLimit) || evalLimit < 1))
  )
    throw new UsageError("--steps, --checkpoint-every and --eval-limit take positive integers");
  const datasetName = values.dataset
    .replace(/[\\/]+$/, "")
    .split(/[\\/]/)
    .pop();
  const runName = `${recipe.name}-${datasetName}`;
  const dir = values.out ?? join(env.BENIH_DATA_DIR ?? ".benih", "runs", runName);

  if (env.BENIH_TRAIN_EXIT_WITH_PARENT === "1") {
    // Started by an agent: its end (stdin closes) is ours, at once and without a checkpoint, since the run
    // resumes elsewhere from the last one.
    process.stdin.on("end", () => process.exit(75));
    process.stdin.resume();
    (process.stdin as unknown as { unref?: () => void }).unref?.(); // watching it must not keep us alive
  }
  const engine = pickEngine();
  const started = (run: { step: number }, prepared: { longerThanWindow: number }, runSteps: number) => {
    steps = runSteps;
    process.stderr.write(
      `${run.step ? `resuming at step ${run.step}` : "starting"} on the ${engine.addon ? `C++ engine (${process.env.BENIH_TRAINER_THREADS ?? "all"} threads)` : `TypeScript engine (about 50× slower than the C++ one${engine.fallbackReason ? `: ${engine.fallbackReason}` : ""})`}, to step ${runSteps}\n`,
    );
    if (prepared.longerThanWindow)
      process.stderr.write(
        `warning: ${prepared.longerThanWindow} training examples are longer than the recipe's ${recipe.train.seqLen}-token window; their ends are not trained on\n`,
      );
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  // SIGUSR1: write a checkpoint after the current step and keep training (the control plane's checkpoint-now).
  let checkpointAsked = false;
  const onCheckpoint = () => (checkpointAsked = true);
  process.on("SIGUSR1", onCheckpoint);
  // A file named `request` in the run folder asks the same as the signals, for trainers no signal reaches (a
  // Kubernetes pod): "checkpoint", or "stop" (checkpoint and exit 0). Read once, then removed.
  const requestFile = join(dir, "request");
  const readRequest = () => {
    if (!existsSync(requestFile)) return;
    const asked = readFileSync(requestFile, "utf8").trim();
    rmSync(requestFile, { force: true });
    if (asked === "checkpoint") checkpointAsked = true;
    else if (asked === "stop") stop.abort();
    else process.stderr.write(`ignored request "${asked}" in ${requestFile}: use checkpoint or stop\n`);
  };
  const tty = process.stderr.isTTY === true;
  const result = await train({
    recipe,
    dataset: values.dataset,
    ...(values.from !== undefined && { from: values.from }),
    dir,
    engine,
    onStart: started,
    ...(steps !== undefined && { steps }),
    checkpointEvery: every,
    signal: stop.signal,
    checkpointNow: () => {
      const asked = checkpointAsked;
      checkpointAsked = false;
      return asked;
    },
    onStep: (m) => {
      readRequest();
      const line = `step ${m.step}/${steps}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  ${Math.round(m.tokensPerSecond)} tok/s  ETA ${duration(m.etaSeconds)}`;
      if (tty) process.stderr.write(`\r${line.padEnd(90)}`);
      else if (m.step % 10 === 0 || m.step === steps) process.stderr.write(`${line}\n`);
    },
  });
  if (tty) process.stderr.write("\n");
  const where = relative(process.cwd(), dir) || ".";
  if (result.stopped) {
    process.stderr.write(`stopped at step ${result.run.step}; checkpoint in ${where}. Run the same command to resume.\n`);
  } else {
    // Named apart from the shipped models (benih-<recipe>-<market>), so serving it never overwrites one of them.
    const model = `${datasetName}-${recipe.name}-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`;
    const gguf = join(dir, `${model}.gguf`);
    renameSync(result.ggufPath!, gguf);
    const base = result.run.lora && result.run.base;
    process.stderr.write(
      `trained ${result.run.step} steps (${result.run.tokensSeen} tokens); ${base ? "LoRA adapter" : "model"}: ${relative(process.cwd(), gguf)}\n`,
    );
    if (evalLimit !== undefined) {
      // Scored here, in the run's region: only the numbers go on (the agent sends scores.json to the control plane).
      // A model that trained but cannot be scored (a dataset without eval.jsonl) is still a finished run.
      try {
        const { asRunScores, evaluateRun } = await import("./eval.ts");
        const scores = asRunScores(await evaluateRun(dir, values.dataset, evalLimit, true));
        writeFileSync(join(dir, "scores.json"), `${JSON.stringify({ scores }, null, 1)}\n`);
        const all = scores.find((x) => x.name === "all exact")!;
        process.stderr.write(`scored on ${all.count} held-out questions: ${(100 * all.value).toFixed(1)}% exact (scores.json)\n`);
      } catch (err) {
        process.stderr.write(`not scored: ${(err as Error).message}\n`);
      }
    }
    process.stderr.write(
      `serve it: copy it into models/ as it is named (models/${basename(gguf)}${base ? `, beside its base model ${base.name}` : ", beside the shipped models"}), add local/${model} to a market's allow list in benih.yaml, and restart; it is served as model ${model}\n`,
    );
  }
  // Only now: a pause or stop during the scoring must not kill the process mid-write (it has trained to the end).
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  process.off("SIGUSR1", onCheckpoint);
}
