// Every `benih` command and subcommand, declared once: `benih --help`, each command's --help, its usage errors and
// its parsing all come from here. Each one's code is imported only when it runs, so help stays fast.
import { command, type Command, type Option } from "./command.ts";

/** Declared, so that the type of each command does not depend on the module that runs it. */
// biome-ignore lint/suspicious/noConfusingVoidType: the commands are async functions that may end without a return
type Done = Promise<number | void>;

const client = {
  url: { type: "string", help: "the benih server (or BENIH_URL; default http://127.0.0.1:$PORT, port 8080)" },
  key: { type: "string", help: "an API key (or BENIH_API_KEY)" },
} as const satisfies Record<string, Option>;
const json = { type: "boolean", help: "print JSON instead of text" } as const satisfies Option;
const config = {
  type: "string",
  short: "c",
  arg: "FILE",
  help: "the config file (or BENIH_CONFIG; default ./benih.yaml if present)",
} as const satisfies Option;
const adminKey = "needs an admin key: set BENIH_ADMIN_KEY on the server, or create one with `benih keys create --admin`";

export const serve = command({
  name: "serve",
  summary: "run the server: the OpenAI-compatible API, the web app and the control plane",
  options: {
    config,
    host: { type: "string", help: "address to listen on (or HOST; default 127.0.0.1)" },
    port: { type: "string", short: "p", arg: "N", help: "port (or PORT; default 8080)" },
  },
  notes: ["Beyond loopback (e.g. --host 0.0.0.0) API keys are required, and each market answers only the host names in its `hosts:`."],
  example: "benih serve --port 9090",
  run: async (i): Done => (await import("./serve.ts")).serve(i),
});

export const chat = command({
  name: "chat",
  summary: "chat with a running server, streaming; with MESSAGE, one answer and exit",
  options: {
    ...client,
    model: { type: "string", short: "m", arg: "M", help: "model id (default: the first the server lists)" },
    system: { type: "string", short: "s", arg: "TEXT", help: "a system message" },
    "max-tokens": { type: "string", arg: "N", help: "longest answer in tokens" },
    temperature: { type: "string", short: "t", arg: "T", help: "sampling temperature, 0 to 2" },
  },
  positionals: "[MESSAGE]",
  example: "benih chat --url http://cn.localhost:8080 --model benih-tiny-cn '印度尼西亚的首都是哪里？'",
  run: async (i): Done => (await import("./chat.ts")).chat(i),
});

export const models = command({
  name: "models",
  summary: "list the models a running server offers",
  options: { ...client, json },
  example: "benih models --url http://global.localhost:8080",
  run: async (i): Done => (await import("./models.ts")).models(i),
});

export const keysCreate = command({
  name: "keys create",
  summary: "create an API key; it is printed once",
  options: {
    name: { type: "string", short: "n", help: "a name to recognise it by", default: "default" },
    admin: { type: "boolean", help: "an admin key (control plane, x-benih-market)" },
    market: { type: "string", arg: "ID", help: "the market the key belongs to" },
    config,
  },
  notes: ["Keys live in the home store (BENIH_DATA_DIR, or DATABASE_URL)."],
  example: "benih keys create --name web --market cn",
  run: async (i): Done => (await import("./keys.ts")).createKey(i),
});

export const keysList = command({
  name: "keys list",
  summary: "list the API keys, live and revoked (never their secret)",
  options: {},
  example: "benih keys list",
  run: async (i): Done => (await import("./keys.ts")).listKeys(i),
});

export const keysRevoke = command({
  name: "keys revoke",
  summary: "revoke a key by its id or as `keys list` shows it (bk-…abcd)",
  options: {},
  positionals: "ID",
  example: "benih keys revoke bk-…9Zq4",
  run: async (i): Done => (await import("./keys.ts")).revokeKey(i),
});

const usersMarket = { type: "string", arg: "ID", help: "the market the person belongs to (needed when markets are configured)" } as const;
const usersNote = "People live in their market's store; a change here reaches every running instance within a second.";

export const usersCreate = command({
  name: "users create",
  summary: "add a person to a market; their password is printed once (or read with --password-stdin)",
  options: {
    email: { type: "string", arg: "EMAIL", help: "their email address (required)" },
    admin: { type: "boolean", help: "an admin of the market (people, usage, invitations)" },
    "password-stdin": { type: "boolean", help: "read the password from standard input instead of making one" },
    sso: { type: "boolean", help: "no password: they sign in by single sign-on with this (verified) email" },
    market: usersMarket,
    config,
  },
  notes: [usersNote],
  example: "benih users create --email ana@example.com --admin --market global",
  run: async (i): Done => (await import("./users.ts")).createUser(i),
});

export const usersList = command({
  name: "users list",
  summary: "the people of a market: email, role, state",
  options: { market: usersMarket, config, json },
  example: "benih users list --market cn",
  run: async (i): Done => (await import("./users.ts")).listUsers(i),
});

export const usersDisable = command({
  name: "users disable",
  summary: "disable a person (their sessions, keys and open streams end); --enable to undo",
  options: { enable: { type: "boolean", help: "enable them again" }, market: usersMarket, config },
  positionals: "EMAIL",
  notes: [usersNote],
  example: "benih users disable ana@example.com --market global",
  run: async (i): Done => (await import("./users.ts")).disableUser(i),
});

export const usersRole = command({
  name: "users role",
  summary: "make a person a member or an admin of their market",
  options: { market: usersMarket, config },
  positionals: "EMAIL member|admin",
  example: "benih users role ana@example.com admin --market global",
  run: async (i): Done => (await import("./users.ts")).setRole(i),
});

const marketsOptions = { config, json };
export const marketsList = command({
  name: "markets list",
  summary: "each market's hosts, allow-list, models, store and policy",
  options: marketsOptions,
  example: "benih markets list --config benih.yaml",
  run: async (i): Done => (await import("./markets.ts")).marketsCommand("list", i),
});

export const marketsCheck = command({
  name: "markets check",
  summary: "the same, with warnings and errors; exits 1 on errors",
  options: marketsOptions,
  example: "benih markets check",
  run: async (i): Done => (await import("./markets.ts")).marketsCommand("check", i),
});

export const runsCreate = command({
  name: "runs create",
  summary: "create a training run; the control plane places it on a cluster",
  options: {
    ...client,
    dataset: { type: "string", required: true, arg: "ID", help: "cn, global, or a dataset folder the agent can read" },
    steps: { type: "string", required: true, arg: "N", help: "steps to train" },
    recipe: { type: "string", default: "tiny", help: "the model recipe" },
    accelerator: { type: "string", arg: "A", help: "the accelerator to run on, e.g. H20" },
    count: { type: "string", arg: "N", help: "how many accelerators" },
    json,
  },
  notes: [adminKey],
  example: "benih runs create --dataset cn --steps 3000 --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).runsCommand("create", i),
});

export const runsList = command({
  name: "runs list",
  summary: "the training runs, their state and step",
  options: { ...client, json },
  notes: [adminKey],
  example: "benih runs list --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).runsCommand("list", i),
});

export const runsShow = command({
  name: "runs show",
  summary: "one run: placement, last checkpoint and history",
  options: { ...client, json },
  positionals: "ID",
  notes: [adminKey],
  example: "benih runs show run_01j… --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).runsCommand("show", i),
});

const runCommands = {
  pause: "pause a run (it checkpoints and stops; resume continues it)",
  resume: "resume a paused run",
  stop: "stop a run for good",
  checkpoint: "ask a run to write a checkpoint now and go on",
} as const;
export const runsSignals = Object.entries(runCommands).map(([sub, summary]) =>
  command({
    name: `runs ${sub}`,
    summary,
    options: { ...client, json },
    positionals: "ID",
    notes: [adminKey],
    example: `benih runs ${sub} run_01j… --key bk-…`,
    run: async (i): Done => (await import("./runs.ts")).runsCommand(sub as keyof typeof runCommands, i),
  }),
);

const promotionOptions = {
  ...client,
  market: { type: "string", required: true, arg: "ID", help: "the market that serves it" },
  model: { type: "string", arg: "ID", help: "the local model id (default: the market's chat model)" },
  json,
} as const;

export const runsPromote = command({
  name: "runs promote",
  summary: "serve a succeeded run's model in its market under a model id, without a restart",
  options: promotionOptions,
  positionals: "ID",
  notes: [adminKey],
  example: "benih runs promote run_01j… --market cn --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).promotionCommand("promote", i),
});

export const runsRollback = command({
  name: "runs rollback",
  summary: "serve again what a market's model id served before its last promotion",
  options: promotionOptions,
  notes: [adminKey],
  example: "benih runs rollback --market cn --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).promotionCommand("rollback", i),
});

export const runsPromotions = command({
  name: "runs promotions",
  summary: "every promotion and rollback, newest first, and what promoted model ids serve now",
  options: { ...client, json },
  notes: [adminKey],
  example: "benih runs promotions --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).promotionCommand("list", i),
});

export const fleet = command({
  name: "fleet",
  summary: "the connected regional agents, their accelerators and what is free",
  options: { ...client, json },
  notes: [adminKey],
  example: "benih fleet --key bk-…",
  run: async (i): Done => (await import("./runs.ts")).runsCommand("fleet", i),
});

export const agent = command({
  name: "agent",
  summary: "a regional agent: offers its nodes to the control plane and trains the runs placed on it",
  options: {
    region: { type: "string", required: true, arg: "R", help: "the region this agent serves" },
    "control-plane": { type: "string", required: true, arg: "URL", help: "the control plane's URL (or BENIH_CONTROL_PLANE)" },
    token: { type: "string", required: true, arg: "T", help: "the region's agent token from benih.yaml (or BENIH_AGENT_TOKEN)" },
    cluster: { type: "string", arg: "ID", help: "this cluster's id (default <region>-<hostname>)" },
    operator: { type: "string", default: "self", arg: "NAME", help: "who operates the cluster" },
    node: {
      type: "string",
      multiple: true,
      arg: "ID=ACCELERATOR:COUNT",
      help: "a node and its accelerators, repeatable (default cpu=CPU:1)",
    },
    runs: { type: "string", arg: "DIR", help: "the region's run storage, shared by its agents (default $BENIH_DATA_DIR/agent-runs)" },
    "checkpoint-every": { type: "string", default: "50", arg: "N", help: "steps between checkpoints" },
    executor: { type: "string", default: "local", arg: "local|kubernetes", help: "where trainers run" },
    "kube-image": { type: "string", arg: "IMAGE", help: "with kubernetes: an image whose entrypoint is benih" },
    "kube-volume-claim": { type: "string", arg: "PVC", help: "with kubernetes: the volume claim holding --runs" },
    "kube-namespace": { type: "string", default: "default", arg: "NS", help: "with kubernetes: the namespace" },
    kubeconfig: { type: "string", arg: "FILE", help: "with kubernetes: the kubeconfig file" },
    "kube-context": { type: "string", arg: "NAME", help: "with kubernetes: the context" },
    checkpoints: { type: "string", arg: "s3://BUCKET/PREFIX", help: "also keep checkpoints in S3-compatible storage" },
    "s3-endpoint": { type: "string", arg: "URL", help: "the S3-compatible service (or AWS_ENDPOINT_URL_S3)" },
    "s3-region": { type: "string", arg: "R", help: "the S3 region" },
  },
  notes: ["S3 keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. SIGTERM pauses the agent's runs (they checkpoint) and exits."],
  example: "benih agent --region cn --control-plane http://127.0.0.1:8080 --token $BENIH_AGENT_TOKEN --node gpu0=H20:8",
  run: async (i): Done => (await import("./agent.ts")).agentCommand(i),
});

export const configCheck = command({
  name: "config check",
  summary: "validate the config and show what the server would run with (no network)",
  options: { config },
  example: "benih config check --config benih.yaml",
  run: async (i): Done => (await import("./config-check.ts")).configCheck(i),
});

export const train = command({
  name: "train",
  summary: "train benih's own model on a dataset; resumable, SIGTERM or Ctrl+C checkpoints",
  options: {
    dataset: { type: "string", required: true, arg: "cn|global|DIR", help: "a built-in dataset or a folder holding train.jsonl" },
    recipe: { type: "string", default: "tiny", help: "the model recipe (tiny, tiny-lora, micro, micro-lora)" },
    from: {
      type: "string",
      arg: "FILE.gguf",
      help: "continue training this llama GGUF (F32, F16, Q8_0) instead of starting from random weights; a -lora recipe trains an adapter for it",
    },
    steps: { type: "string", arg: "N", help: "steps to train, which the learning-rate schedule spans (default: the recipe's)" },
    out: {
      type: "string",
      arg: "DIR",
      help: "the run folder (default $BENIH_DATA_DIR/runs/<recipe>-<dataset>); a checkpoint there is resumed",
    },
    "checkpoint-every": { type: "string", default: "100", arg: "N", help: "steps between checkpoints" },
    "eval-limit": {
      type: "string",
      arg: "N",
      help: "once trained, score the model on at most N held-out questions and write scores.json into the run folder",
    },
  },
  notes: [
    "The model is written into the run folder as <dataset>-<recipe>-<date>.gguf, a name no shipped model has; a LoRA run writes its adapter under that name.",
    "BENIH_TRAINER_THREADS sets the C++ engine's threads (all cores by default).",
  ],
  example: "benih train --recipe tiny-lora --from models/benih-tiny-base.gguf --dataset cn",
  run: async (i): Done => (await import("./train.ts")).trainCommand(i),
});

export const evaluate = command({
  name: "eval",
  summary: "score a run: exact- and contains-match on held-out phrasings, validation perplexity",
  options: {
    run: { type: "string", required: true, arg: "DIR", help: "a finished run folder (holding its .gguf)" },
    dataset: { type: "string", required: true, arg: "cn|global|DIR", help: "the dataset to score on" },
    limit: { type: "string", arg: "N", help: "use at most N examples of each split, evenly spread over it (default: all)" },
    scores: { type: "string", arg: "FILE", help: "also write the scores as JSON, as a run's scores.json (docs/trainers.md)" },
  },
  example: "benih eval --run .benih/runs/tiny-global --dataset global --limit 200",
  run: async (i): Done => (await import("./eval.ts")).evalCommand(i),
});

export const datasetBuild = command({
  name: "dataset build",
  summary: "write a built-in dataset as JSON lines (train, validation, eval) to read, edit and train on",
  options: {
    dataset: { type: "string", required: true, arg: "cn|global", help: "the built-in dataset" },
    out: { type: "string", required: true, arg: "DIR", help: "the folder to write" },
  },
  example: "benih dataset build --dataset cn --out my-data",
  run: async (i): Done => (await import("./dataset.ts")).datasetCommand(i),
});

export const datasetUpload = command({
  name: "dataset upload",
  summary: "upload a JSON-lines dataset for a market: checked line by line and kept only in the market's region",
  options: {
    ...client,
    market: { type: "string", required: true, arg: "ID", help: "the market it is for (its region keeps it)" },
    name: { type: "string", required: true, arg: "NAME", help: "the dataset's id for runs: lowercase letters, digits, . _ -" },
    region: { type: "string", arg: "R", help: "the region, when the market's data lives in several" },
    split: { type: "string", default: "train", arg: "S", help: "train (makes the dataset), or validation or eval (adds to it)" },
    json,
  },
  positionals: "FILE",
  notes: [adminKey],
  example: "benih dataset upload my-data/train.jsonl --market cn --name cn-support --key bk-…",
  run: async (i): Done => (await import("./dataset-upload.ts")).datasetUploadCommand(i),
});

/** In the order `benih --help` lists them. */
export const commands: ReadonlyArray<Command> = [
  serve,
  chat,
  models,
  keysCreate,
  keysList,
  keysRevoke,
  usersCreate,
  usersList,
  usersDisable,
  usersRole,
  marketsList,
  marketsCheck,
  runsCreate,
  runsList,
  runsShow,
  ...runsSignals,
  runsPromote,
  runsRollback,
  runsPromotions,
  fleet,
  agent,
  configCheck,
  train,
  evaluate,
  datasetBuild,
  datasetUpload,
] as ReadonlyArray<Command>;
