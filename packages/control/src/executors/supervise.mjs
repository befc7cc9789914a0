// Runs a command trainer (argv) for the local executor: forwards the agent's signals to it (SIGUSR1 checkpoint,
// SIGTERM checkpoint and exit), and kills it when stdin closes, which happens when the agent dies even by SIGKILL:
// no orphan may keep writing into a run that resumes elsewhere. Exits with the trainer's code.
import { spawn } from "node:child_process";
import { constants } from "node:os";

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"] });
child.on("error", (err) => {
  process.stderr.write(`could not start ${command}: ${err.message}\n`);
  process.exit(127);
});
for (const signal of ["SIGTERM", "SIGUSR1", "SIGINT"]) process.on(signal, () => child.kill(signal));
// The whole process group (this one leads it): a trainer's own workers (torchrun's) go too.
process.stdin.on("end", () => process.kill(-process.pid, "SIGKILL"));
process.stdin.resume();
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 15)));
