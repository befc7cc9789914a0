import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandRefusal, isFinished, transitionRefusal } from "@benih/contracts";

describe("run states", () => {
  it("follow queued → placed → running ⇄ paused → finished, and lost → placed again", () => {
    for (const [from, to] of [
      ["queued", "placed"],
      ["placed", "running"],
      ["running", "paused"],
      ["paused", "placed"],
      ["running", "lost"],
      ["lost", "placed"],
      ["running", "succeeded"],
    ] as const) {
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
