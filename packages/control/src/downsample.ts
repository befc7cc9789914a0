import type { SeriesPoint as Point } from "@benih/contracts";

/**
 * Reduces a series to at most `buckets` × 2 points for a chart: per bucket of steps, its lowest and highest
 * values in step order, so spikes survive (an average would hide a loss spike) and the line keeps its shape.
 * Series with no more points than that come back unchanged.
 */
export function downsample(points: readonly Point[], buckets: number): Point[] {
  if (points.length <= buckets * 2 || buckets < 1) return [...points];
  const first = points[0]!.step;
  const span = points[points.length - 1]!.step - first + 1;
  const out: Point[] = [];
  let i = 0;
  for (let b = 0; b < buckets; b++) {
    const end = first + Math.ceil(((b + 1) * span) / buckets);
    let lo: Point | undefined;
    let hi: Point | undefined;
    for (; i < points.length && points[i]!.step < end; i++) {
      const p = points[i]!;
      if (!lo || p.value < lo.value) lo = p;
      if (!hi || p.value > hi.value) hi = p;
    }
    if (!lo || !hi) continue;
    if (lo === hi) out.push(lo);
    else out.push(...(lo.step < hi.step ? [lo, hi] : [hi, lo]));
  }
  return out;
}
