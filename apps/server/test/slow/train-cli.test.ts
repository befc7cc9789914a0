import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { readCheckpoint } from "@benih/trainer";
import { runScores } from "@benih/contracts";
import { until } from "../until.ts";

const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "benih-train-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function benih(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, BENIH_DATA_DIR: join(dir, "data") } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("benih train and eval", () => {
  it("trains on a dataset folder of JSON lines, and names the file and line of a broken one", async () => {
    const data = join(dir, "my-data");
    const built = await benih(["dataset", "build", "--dataset", "cn", "--out", data]);
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, /train 40180, validation 2016, eval 2293 examples/);
    const trained = await benih(["train", "--recipe", "micro", "--dataset", data, "--steps", "3"]);
    assert.equal(trained.code, 0, trained.stderr);
    // Named apart from the shipped models, and served without overwriting them.
    const model = /model: (.*[\\/](my-data-micro-\d{8})\.gguf)\n/.exec(trained.stderr);
    assert.ok(model, trained.stderr);
    assert.ok(existsSync(join(dir, model[1]!)));
    assert.ok(
      readdirSync(join(dir, "data", "runs", "micro-my-data")).every((f) => !f.startsWith("benih-")),
      "no file named like a shipped model",
    );
    assert.match(
      trained.stderr,
      new RegExp(
        `copy it into models/ as it is named \\(models/${model[2]}\\.gguf, beside the shipped models\\), add local/${model[2]} to a market's allow list`,
      ),
    );

    const broken = join(dir, "broken");
    mkdirSync(broken);
    writeFileSync(join(broken, "train.jsonl"), '{"question": "1+1?", "answer": "2."}\n{"question": "2+2?", "answer": \n');
    const refused = await benih(["train", "--recipe", "micro", "--dataset", broken, "--steps", "3"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^benih: .*broken[\\/]train\.jsonl:2: not valid JSON/);
    writeFileSync(join(broken, "train.jsonl"), "\n");
    const empty = await benih(["train", "--recipe", "micro", "--dataset", broken, "--steps", "3"]);
    assert.match(empty.stderr, /train\.jsonl has no examples/);
  });

  it("checkpoints on SIGTERM and exits 0; the same command resumes; eval reports per language", async () => {
    const out = join(dir, "run");
    let sent = false;
    const first = await benih(["train", "--recipe", "micro", "--dataset", "global", "--steps", "100000", "--out", out], (text, child) => {
      if (!sent && /step 10\/100000/.test(text)) {
        sent = true;
        child.kill("SIGTERM");
      }
    });
    assert.equal(first.code, 0, first.stderr);
    const stoppedAt = Number(/stopped at step (\d+)/.exec(first.stderr)?.[1]);
    assert.ok(stoppedAt >= 10, first.stderr);
    assert.ok(existsSync(join(out, "checkpoint.bin")));

    const second = await benih(["train", "--recipe", "micro", "--dataset", "global", "--steps", String(stoppedAt + 5), "--out", out]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`trained ${stoppedAt + 5} steps`));
    const steps = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).step);
    assert.deepEqual(
      steps,
      Array.from({ length: stoppedAt + 5 }, (_, i) => i + 1),
    );

    const scoresFile = join(dir, "scores.json");
    const evaluated = await benih(["eval", "--run", out, "--dataset", "global", "--limit", "6", "--scores", scoresFile]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    // The same scores as a run's scores.json, which an agent sends to the control plane.
    const { scores } = runScores.parse(JSON.parse(readFileSync(scoresFile, "utf8")));
    assert.deepEqual(
      scores.filter((x) => x.name === "all exact" || x.name === "validation perplexity").map((x) => [x.name, x.count]),
      [
        ["all exact", 6],
        ["validation perplexity", 6],
      ],
    );
    // Six questions spread over the split: its English part and its Indonesian part, by kind within each.
    assert.match(evaluated.stdout, /en: exact \d+\.\d% {2}contains \d+\.\d% {2}\(4 questions\)\n {4}arithmetic: exact/);
    assert.match(evaluated.stdout, /id: exact \d+\.\d% {2}contains \d+\.\d% {2}\(2 questions\)/);
    // --limit bounds the perplexity too, and progress shows on stderr (a line per 10% when not a terminal).
    assert.match(evaluated.stdout, /validation: answer perplexity \d+\.\d+ \(6 examples\)/);
    assert.match(evaluated.stderr, /answering held-out questions: 6\/6 \(100%\)/);
    assert.match(evaluated.stderr, /validation perplexity \(tokens\): (\d+)\/\1 \(100%\)/);
  });

  it("writes a checkpoint when asked (SIGUSR1, or a request file for pods no signal reaches) and goes on; a stop request ends it", async () => {
    const out = join(dir, "asked");
    const ckpt = join(out, "checkpoint.bin");
    let child: ReturnType<typeof spawn> | undefined;
    // Periodic checkpoints never come: each one seen is one that was asked for.
    const ended = benih(
      ["train", "--recipe", "micro", "--dataset", "cn", "--steps", "2000000", "--out", out, "--checkpoint-every", "1000000"],
      (_text, c) => (child = c),
    );
    await until("training", async () => (child && existsSync(join(out, "metrics.jsonl")) ? true : undefined));
    child!.kill("SIGUSR1");
    const first = await until("the SIGUSR1 checkpoint", async () => (existsSync(ckpt) ? readCheckpoint(ckpt).header.step : undefined));
    assert.ok(first > 0);
    writeFileSync(join(out, "request"), "checkpoint");
    const second = await until("the requested checkpoint", async () =>
      !existsSync(join(out, "request")) && readCheckpoint(ckpt).header.step > first ? readCheckpoint(ckpt).header.step : undefined,
    );
    assert.equal(child!.exitCode, null, "still training after both");
    writeFileSync(join(out, "request"), "stop");
    const r = await ended;
    assert.equal(r.code, 0, r.stderr);
    const stoppedAt = Number(/stopped at step (\d+)/.exec(r.stderr)?.[1]);
    assert.ok(stoppedAt > second);
    assert.equal(readCheckpoint(ckpt).header.step, stoppedAt, "stopping checkpointed first");
  });

  it("names what is wrong with its arguments or its run folder", async () => {
    const noDataset = await benih(["train", "--recipe", "micro"]);
    assert.equal(noDataset.code, 2);
    assert.match(noDataset.stderr, /--dataset must be cn, global, or a folder holding train\.jsonl/);
    const badRecipe = await benih(["train", "--recipe", "huge", "--dataset", "cn"]);
    assert.match(badRecipe.stderr, /unknown recipe "huge"; recipes: tiny, tiny-lora, micro, micro-lora/);
    const notAFolder = await benih(["train", "--recipe", "micro", "--dataset", join(dir, "nowhere")]);
    assert.equal(notAFolder.code, 1);
    assert.match(notAFolder.stderr, /nowhere has no train\.jsonl/);
    const noRun = await benih(["eval", "--run", join(dir, "nothing"), "--dataset", "cn"]);
    assert.equal(noRun.code, 1);
    assert.match(noRun.stderr, /holds no exported model/);
  });
});
