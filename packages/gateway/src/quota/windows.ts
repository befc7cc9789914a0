/** A fixed window of a quota: its id (part of the counter's key) and when it ends, in ms since the epoch. */
export interface Window {
  id: string;
  endsAt: number;
}

/**
 * The fixed UTC windows `now` falls in: the minute, the day and the calendar month. Every instance computes the
 * same ones from its clock, so counters shared through Redis line up without coordination.
 */
export function windowsAt(now: number): { minute: Window; day: Window; month: Window } {
  const d = new Date(now);
  const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
  const minute = Math.floor(now / 60_000);
  const day = Math.floor(now / 86_400_000);
  return {
    minute: { id: `m${minute}`, endsAt: (minute + 1) * 60_000 },
    day: { id: `d${day}`, endsAt: (day + 1) * 86_400_000 },
    month: { id: `M${y}-${m + 1}`, endsAt: Date.UTC(y, m + 1, 1) },
  };
}
