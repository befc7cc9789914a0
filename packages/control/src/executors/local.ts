import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { logFileOf, type Execution, type Executor, type TrainSpec } from "./executor.ts";

const SUPERVISOR = fileURLToPath(new URL("./supervise.mjs", import.meta.url));

/** What a command trainer inherits of the agent's environment: where programs and libraries are, locale, devices. */
const SYSTEM_ENV =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|LD_LIBRARY_PATH|PYTHON\w*|VIRTUAL_ENV|CONDA_\w+|CUDA_\w+|NCCL_\w+|NVIDIA_\w+|OMP_\w+|MKL_\w+|HF_HOME|TORCH_HOME|XDG_\w+)$/;
const systemEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => SYSTEM_ENV.test(k)));

/** Trainers as child processes of the agent, on this machine; a multi-node command recipe runs as one process. */
export class LocalExecutor implements Executor {
  readonly kind = "local";

  /** `command` runs `benih` (e.g. node and the path of bin/benih.mjs before the arguments). */
  constructor(private readonly command: { file: string; prefix: string[] }) {}

  async start(spec: TrainSpec): Promise<Execution> {
    // The trainer's stdin is a pipe we hold: when this agent dies, even by SIGKILL, the pipe closes and the trainer
    // exits (BENIH_TRAIN_EXIT_WITH_PARENT), so no orphan keeps writing to a run that resumes elsewhere. A command
    // trainer knows nothing of that pipe: it runs under a supervisor that does the same for it.
    const [file, args] = spec.trainer
      ? [process.execPath, [SUPERVISOR, ...spec.trainer.command]]
      : [this.command.file, [...this.command.prefix, ...spec.args]];
    // Its own process group, so that a kill reaches a command trainer under its supervisor too. A command trainer
    // starts in the run folder and gets only the system's variables, not the server's (keys, secrets).
    const child = spawn(file, args, {
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
      ...(spec.trainer && { cwd: spec.dir }),
      env: { ...(spec.trainer ? systemEnv() : process.env), ...spec.env, BENIH_TRAIN_EXIT_WITH_PARENT: "1" },
    });
    const log = createWriteStream(join(spec.dir, logFileOf(spec)), { flags: "a" });
    let tail = "";
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on("data", (d: Buffer) => {
        log.write(d);
        tail = (tail + d.toString()).slice(-2000);
      });
    }
    const ended = new Promise<{ code: number | null; detail: string }>((resolve) => {
      child.on("close", (code, signal) => {
        log.end(() =>
          resolve({
            code: signal ? null : code,
            detail: code === 0 ? "" : `the trainer exited with ${signal ?? code}: ${tail.trim().split("\n").slice(-3).join(" | ")}`,
          }),
        );
      });
    });
    return {
      ended,
      checkpoint: async () => void child.kill("SIGUSR1"),
      finish: async () => void child.kill("SIGTERM"), // the trainer checkpoints, then exits 0
      kill: async () => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      },
    };
  }
}
