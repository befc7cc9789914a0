/** Linear warm-up to `lr`, then cosine decay to `minLr` at `steps`. */
export function learningRate(step: number, o: { lr: number; minLr: number; warmupSteps: number; steps: number }): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if (step >= o.steps) return o.minLr;
  const progress = (step - o.warmupSteps) / Math.max(1, o.steps - o.warmupSteps);
  return o.minLr + 0.5 * (o.lr - o.minLr) * (1 + Math.cos(Math.PI * progress));
}
