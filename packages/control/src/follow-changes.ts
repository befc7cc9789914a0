import { coalesce } from "./coalesce.ts";

/**
 * Keeps an in-memory copy of store rows current: reads them all once, with the counter value they are current
 * to, then only the rows changed since (the store numbers each change), in the order they changed. Returns the
 * refresh, which runs once at a time (`coalesce`).
 */
export function followChanges<Row extends { version: number }>(source: {
  all(): Promise<{ version: number; rows: readonly Row[] }>;
  changedSince(version: number): Promise<readonly Row[]>;
  apply(row: Row): void;
}): () => Promise<void> {
  let version = -1;
  return coalesce(async () => {
    if (version < 0) {
      const first = await source.all();
      for (const r of first.rows) source.apply(r);
      version = first.version;
      return;
    }
    for (const r of await source.changedSince(version)) {
      source.apply(r);
      version = Math.max(version, Number(r.version));
    }
  });
}
