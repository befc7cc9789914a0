#!/usr/bin/env python3
"""A trainer benih did not write, keeping benih's trainer contract (docs/trainers.md): the smallest example of a
`command` recipe, and what the control plane's tests run. It fits y = 3x - 2 (plus noise) by SGD on numbers it draws itself;
a real trainer (PyTorch under torchrun) does the same things around its own training step.

Only the standard library: it runs wherever python3 does.
"""
import json
import os
import random
import signal
import sys
import time
from datetime import datetime, timezone


def option(name, default):
    """`--name value` from the command line (the recipe's command), else the default."""
    args = sys.argv[1:]
    return type(default)(args[args.index(name) + 1]) if name in args else default


STEP_SECONDS = option("--step-seconds", 0.0)
CHECKPOINT_EVERY = option("--checkpoint-every", 100)
# For tests of the contract's failure: a malformed metrics line at this step (0: never).
BAD_METRICS_AT = option("--bad-metrics-at", 0)

run_dir = os.environ["BENIH_RUN_DIR"]
steps = int(os.environ["BENIH_STEPS"])
rank = int(os.environ.get("PET_NODE_RANK", os.environ.get("NODE_RANK", "0")))
checkpoints = os.path.join(run_dir, "checkpoints")
os.makedirs(checkpoints, exist_ok=True)

# The recipe's own environment (benih.yaml: env) can set what a trainer reads, here its seed.
seed = int(os.environ.get("TOY_SEED", "1"))
print(
    f"toy trainer pid {os.getpid()}: rank {rank} of {os.environ.get('PET_NNODES', '1')} node(s)"
    f" (rendezvous {os.environ.get('PET_MASTER_ADDR', '-')}:{os.environ.get('PET_MASTER_PORT', '-')}),"
    f" dataset {os.environ['BENIH_DATASET']}, {steps} steps, seed {seed}",
    flush=True,
)
print("benih variables: " + " ".join(sorted(k for k in os.environ if k.startswith("BENIH_"))), flush=True)

# Checkpoint now (SIGUSR1), or checkpoint and exit 0 (SIGTERM): flags read between steps, as the contract asks.
asked = {"checkpoint": False, "stop": False}
signal.signal(signal.SIGUSR1, lambda *_: asked.__setitem__("checkpoint", True))
signal.signal(signal.SIGTERM, lambda *_: asked.__setitem__("stop", True))


def read_request():
    """The `request` file: the same asks for trainers no signal reaches (a Kubernetes pod). Read once, then removed,
    by rank 0 alone (a real multi-node trainer passes it on to the other ranks, e.g. by a broadcast)."""
    if rank != 0:
        return
    path = os.path.join(run_dir, "request")
    try:
        with open(path) as f:
            what = f.read().strip()
        os.remove(path)
    except FileNotFoundError:
        return
    if what in asked:
        asked[what] = True


state = {"step": 0, "w": 0.0, "b": 0.0, "rng": seed}
resume = os.environ.get("BENIH_RESUME_FROM")
if resume:
    with open(resume) as f:
        state = json.load(f)
    print(f"resuming from step {state['step']} ({resume})", flush=True)
rng = random.Random(state["rng"])


def save():
    """checkpoints/step-<N>.json, written under another name and renamed in: the agent never sees half a file."""
    if rank != 0:
        return
    state["rng"] = rng.randrange(1 << 30)
    final = os.path.join(checkpoints, f"step-{state['step']}.json")
    with open(final + ".partial", "w") as f:
        json.dump(state, f)
    os.replace(final + ".partial", final)
    kept = sorted(int(n[5:-5]) for n in os.listdir(checkpoints) if n.startswith("step-") and n.endswith(".json"))
    for old in kept[:-3]:  # the newest three stay
        os.remove(os.path.join(checkpoints, f"step-{old}.json"))


metrics = open(os.path.join(run_dir, "metrics.jsonl"), "a") if rank == 0 else None
lr = 0.01
loss = None
while state["step"] < steps:
    read_request()
    if asked["stop"]:
        save()
        sys.exit(0)
    started = time.perf_counter()
    xs = [rng.uniform(-1, 1) for _ in range(32)]
    errors = [state["w"] * x + state["b"] - (3 * x - 2 + rng.gauss(0, 0.1)) for x in xs]
    loss = sum(e * e for e in errors) / len(xs)
    gw = sum(2 * e * x for e, x in zip(errors, xs)) / len(xs)
    gb = sum(2 * e for e in errors) / len(xs)
    state["w"] -= lr * gw
    state["b"] -= lr * gb
    state["step"] += 1
    if STEP_SECONDS:
        time.sleep(STEP_SECONDS)
    if metrics:
        seconds = time.perf_counter() - started
        line = {
            "step": state["step"],
            "loss": loss,
            "lr": lr,
            "gradNorm": (gw * gw + gb * gb) ** 0.5,
            "tokens": len(xs),
            "tokensPerSecond": len(xs) / seconds,
            "time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        if state["step"] == BAD_METRICS_AT:
            line = {"step": state["step"], "loss": "NaN?"}
        metrics.write(json.dumps(line) + "\n")
        metrics.flush()
    if state["step"] % CHECKPOINT_EVERY == 0 or asked["checkpoint"]:
        asked["checkpoint"] = False
        save()
save()
if rank == 0:
    # What the run measured, for the control plane to compare runs by: scores.json, written whole as the last thing.
    scores = [
        {"name": "w error", "value": abs(state["w"] - 3)},
        {"name": "b error", "value": abs(state["b"] + 2)},
    ] + ([{"name": "last loss", "value": loss}] if loss is not None else [])
    with open(os.path.join(run_dir, "scores.json.partial"), "w") as f:
        json.dump({"scores": scores}, f)
    os.replace(os.path.join(run_dir, "scores.json.partial"), os.path.join(run_dir, "scores.json"))
print(f"done: w={state['w']:.4f} b={state['b']:.4f}", flush=True)
