/** Each unit's size in its kind's reference unit (temperatures, which are not proportional, convert on their own). */
const SIZES: Record<string, { kind: string; size: number }> = {
  km: { kind: "length", size: 1000 },
  mi: { kind: "length", size: 1609.344 },
  m: { kind: "length", size: 1 },
  ft: { kind: "length", size: 0.3048 },
  cm: { kind: "length", size: 0.01 },
  in: { kind: "length", size: 0.0254 },
  kg: { kind: "mass", size: 1000 },
  lb: { kind: "mass", size: 453.59237 },
  g: { kind: "mass", size: 1 },
  oz: { kind: "mass", size: 28.349523125 },
  l: { kind: "volume", size: 1 },
  gal: { kind: "volume", size: 3.785411784 },
};

const TEMPERATURES: Record<string, (x: number) => number> = {
  "c f": (x) => (x * 9) / 5 + 32,
  "f c": (x) => ((x - 32) * 5) / 9,
};

export const UNITS = [...Object.keys(SIZES), "c", "f"];

/** `x` of unit `from` in unit `to`, or why it cannot be converted. */
export function convert(x: number, from: string, to: string): number | string {
  for (const u of [from, to]) if (!UNITS.includes(u)) return `unknown unit "${u}"; the units are ${UNITS.join(", ")}`;
  if (from === to) return x;
  const temperature = TEMPERATURES[`${from} ${to}`];
  if (temperature) return temperature(x);
  const a = SIZES[from];
  const b = SIZES[to];
  if (!a || !b || a.kind !== b.kind) return `cannot convert ${from} to ${to}`;
  return (x * a.size) / b.size;
}
