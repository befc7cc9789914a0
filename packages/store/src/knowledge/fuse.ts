/** The constant of reciprocal rank fusion (Cormack et al., 2009): a hit at rank r in a list scores 1 / (K + r). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion of ranked lists of the same kind of hit (best first, told apart by `id`): each hit scores
 * the sum of 1 / (60 + rank) over the lists it is in, so one found by both keywords and meaning comes first. The
 * best `limit`, with that score.
 */
export function fuse<H extends { id: number; score: number }>(lists: ReadonlyArray<readonly H[]>, limit: number): H[] {
  const fused = new Map<number, { hit: H; score: number }>();
  for (const list of lists)
    list.forEach((hit, i) => {
      const f = fused.get(hit.id) ?? { hit, score: 0 };
      f.score += 1 / (RRF_K + i + 1);
      fused.set(hit.id, f);
    });
  return [...fused.values()]
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((f) => ({ ...f.hit, score: f.score }));
}
