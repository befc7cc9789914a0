import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandRefusal, downsample, isFinished, transitionRefusal } from "@benih/control";

describe("run states", () => {
  it("follow queued → placed → running ⇄ paused → finished, and lost → placed again", () => {
    for (const [from, to] of [["queued", "placed"], ["placed", "running"], ["running", "paused"], ["paused", "placed"], ["running", "lost"], ["lost", "placed"], ["running", "succeeded"]] as const) {
      assert.equal(transitionRefusal(from, to), undefined, `${from} → ${to}`);
    }
    assert.equal(transitionRefusal("succeeded", "running"), "a succeeded run cannot become running");
    assert.equal(transitionRefusal("queued", "running"), "a queued run cannot become running", "a run is placed before it runs");
    assert.ok(isFinished("stopped") && isFinished("failed") && !isFinished("lost"));
  });

  it("refuse commands that do not apply, saying why (the API answers 409 with it)", () => {
    assert.equal(commandRefusal("r1", "running", "pause"), undefined);
    assert.equal(commandRefusal("r1", "paused", "resume"), undefined);
    assert.equal(commandRefusal("r1", "lost", "stop"), undefined);
    assert.equal(commandRefusal("r1", "succeeded", "stop"), "run r1 has succeeded: it takes no more commands");
    assert.equal(commandRefusal("r1", "stopped", "resume"), "run r1 has been stopped: it takes no more commands");
    assert.equal(commandRefusal("r1", "queued", "checkpoint"), "checkpoint needs a run that is running; run r1 is queued");
    assert.equal(commandRefusal("r1", "running", "resume"), "resume needs a run that is paused; run r1 is running");
  });
});

describe("chart downsampling", () => {
  it("keeps each bucket's lowest and highest point in step order, so a spike survives", () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ step: i + 1, value: 3 - i / 5000 }));
    points[7_777]!.value = 9; // a loss spike
    const d = downsample(points, 100);
    assert.ok(d.length <= 200 && d.length >= 100, `${d.length} points`);
    assert.ok(d.some((p) => p.step === 7_778 && p.value === 9), "the spike is kept");
    assert.deepEqual(d[0], points[0]);
    assert.deepEqual(d.at(-1), points.at(-1));
    assert.ok(d.every((p, i) => i === 0 || p.step > d[i - 1]!.step), "in step order");
    assert.deepEqual(downsample(points.slice(0, 50), 100), points.slice(0, 50), "short series unchanged");
  });
});
