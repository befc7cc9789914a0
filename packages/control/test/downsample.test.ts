import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { downsample } from "@benih/control";

describe("chart downsampling", () => {
  it("keeps each bucket's lowest and highest point in step order, so a spike survives", () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ step: i + 1, value: 3 - i / 5000 }));
    points[7_777]!.value = 9; // a loss spike
    const d = downsample(points, 100);
    assert.ok(d.length <= 200 && d.length >= 100, `${d.length} points`);
    assert.ok(
      d.some((p) => p.step === 7_778 && p.value === 9),
      "the spike is kept",
    );
    assert.deepEqual(d[0], points[0]);
    assert.deepEqual(d.at(-1), points.at(-1));
    assert.ok(
      d.every((p, i) => i === 0 || p.step > d[i - 1]!.step),
      "in step order",
    );
    assert.deepEqual(downsample(points.slice(0, 50), 100), points.slice(0, 50), "short series unchanged");
  });
});
