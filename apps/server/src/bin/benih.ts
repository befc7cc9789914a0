#!/usr/bin/env node
import { UsageError } from "../cli/args.ts";

const HELP = `benih: your own assistant gateway over local and third-party models

usage: benih <command> [options]

  serve [--config FILE] [--host H] [--port N]   run the server (default 127.0.0.1:8080)
  chat [--model M] [--system TEXT] [--max-tokens N] [--temperature T] [MESSAGE]
                                                 streaming chat with a running server
  models [--json]                                list the models a running server offers
  keys create [--name N] [--admin] [--market ID] | list | revoke ID
  markets list|check [--json]                    each market's hosts, allow-list, store and policy; warnings
  runs create --dataset ID --steps N [--accelerator A] | list | show ID | pause|resume|stop|checkpoint ID
                                                 training runs on the control plane (admin key)
  fleet                                          connected agents by region, their accelerators and use
  agent --region R --control-plane URL --token T [--node ID=ACCEL:COUNT] [--runs DIR]
                                                 a regional agent that trains the runs placed on it
  config check [--config FILE]                   validate the config and show what would run
  train --dataset cn|global|DIR [--recipe tiny] [--steps N] [--out DIR]
                                                 train benih's own model; resumable, SIGTERM checkpoints
  eval --run DIR --dataset cn|global|DIR [--limit N]
                                                 exact-match on held-out phrasings, validation perplexity
  dataset build --dataset cn|global --out DIR    write a built-in dataset as JSON lines (train/validation/eval)

client commands take --url (or BENIH_URL) and --key (or BENIH_API_KEY).
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const env = process.env;
  switch (cmd) {
    case "serve":
      await (await import("../cli/serve.ts")).serve(rest, env);
      return -1; // keeps running
    case "chat":
      await (await import("../cli/chat.ts")).chat(rest, env);
      return 0;
    case "models":
      await (await import("../cli/models.ts")).models(rest, env);
      return 0;
    case "agent":
      await (await import("../cli/agent.ts")).agentCommand(rest, env);
      return 0;
    case "runs":
      await (await import("../cli/runs.ts")).runsCommand(rest, env);
      return 0;
    case "fleet":
      await (await import("../cli/runs.ts")).runsCommand(rest, env, true);
      return 0;
    case "markets":
      return (await import("../cli/markets.ts")).marketsCommand(rest, env);
    case "keys":
      await (await import("../cli/keys.ts")).keys(rest, env);
      return 0;
    case "train":
      await (await import("../cli/train.ts")).trainCommand(rest, env);
      return 0;
    case "eval":
      await (await import("../cli/eval.ts")).evalCommand(rest);
      return 0;
    case "dataset":
      await (await import("../cli/dataset.ts")).datasetCommand(rest);
      return 0;
    case "config":
      if (rest[0] !== "check") throw new UsageError("usage: benih config check [--config FILE]");
      return (await import("../cli/config-check.ts")).configCheck(rest.slice(1), env);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return 0;
    default:
      throw new UsageError(`unknown command "${cmd}"\n\n${HELP}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    // A person reads this: the message, never a stack trace.
    process.stderr.write(`benih: ${err.message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
