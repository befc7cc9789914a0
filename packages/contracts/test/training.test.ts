import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentCommand, metricsBatch, runReport, trainerMetricLine } from "@benih/contracts";

describe("training contracts", () => {
  it("take the trainer's metrics line, and refuse one whose loss went to NaN (JSON writes it as null)", () => {
    const line = { step: 3, loss: 2.5, lr: 0.001, gradNorm: 0.9, tokens: 512, tokensPerSecond: 4000, time: "2025-01-02T03:04:05.678Z" };
    assert.deepEqual(trainerMetricLine.parse(JSON.parse(JSON.stringify(line))), line);
    assert.equal(trainerMetricLine.safeParse(JSON.parse(JSON.stringify({ ...line, loss: NaN }))).success, false);
    assert.equal(trainerMetricLine.safeParse({ ...line, time: "yesterday" }).success, false);
  });

  it("let an agent report only the states an agent sees, and no field the control plane does not know", () => {
    assert.equal(runReport.safeParse({ state: "paused", checkpoint: { step: 20, location: "/ckpt/20.bin", bytes: 1024 } }).success, true);
    assert.equal(runReport.safeParse({ state: "placed" }).success, false, "placing is the control plane's");
    assert.equal(runReport.safeParse({ state: "running", step: 5 }).success, false);
    assert.equal(metricsBatch.safeParse({ points: [] }).success, false, "an empty batch");
  });

  it("tell a start command, with where to resume from, from the others", () => {
    const start = {
      type: "start",
      runId: "r",
      attempt: 2,
      recipe: "tiny",
      dataset: "d",
      source: "d",
      steps: 50,
      node: "n",
      accelerator: "H20",
      count: 1,
      resumeFrom: { step: 20, location: "/ckpt/20.bin" },
    };
    assert.deepEqual(agentCommand.parse(start), start);
    assert.equal(agentCommand.safeParse({ ...start, resumeFrom: undefined }).success, false, "a fresh start says null");
    assert.deepEqual(agentCommand.parse({ type: "pause", runId: "r" }), { type: "pause", runId: "r" });
    assert.equal(agentCommand.safeParse({ type: "delete", runId: "r" }).success, false);
  });
});
