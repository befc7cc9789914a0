import type { z } from "zod";

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
};
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at `path` may be checked against (several where a union allows several shapes). */
function schemasAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>): z.ZodType[] {
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const d = def(s);
    if (d.type === "union") return d.options!.flatMap(unwrap);
    if (d.innerType) return unwrap(d.innerType);
    if (d.type === "pipe") return unwrap(d.in!);
    return [s];
  };
  let at = unwrap(root);
  for (const segment of path) {
    at = at.flatMap((s) => {
      const d = def(s);
      if (d.type === "array" && typeof segment === "number") return unwrap(d.element!);
      if (d.type === "object" && typeof segment === "string" && d.shape![segment]) return unwrap(d.shape![segment]);
      if (d.type === "record") return unwrap(d.valueType!);
      return [];
    });
  }
  return at;
}

/** The keys an object at `path` may have. */
export function knownKeys(root: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  return [...new Set(schemasAt(root, path).flatMap((s) => (def(s).type === "object" ? Object.keys(def(s).shape!) : [])))];
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The known key a typo most likely meant: within two edits (case aside), or one that starts the other. */
export function nearest(key: string, known: string[]): string | undefined {
  const k = key.toLowerCase();
  const scored = known
    .map((c) => ({ c, d: distance(k, c.toLowerCase()) }))
    .filter(
      ({ c, d }) => d <= 2 || (Math.min(k.length, c.length) >= 3 && (c.toLowerCase().startsWith(k) || k.startsWith(c.toLowerCase()))),
    );
  return scored.sort((a, b) => a.d - b.d)[0]?.c;
}
