import type { DayUse } from "./usageSummary.ts";

/**
 * One bar per day (oldest left), as tall as its share of the busiest day; each bar's title says its day and value.
 * Plain SVG: a few dozen bars need no chart library, and empty days stay as gaps of the period's width.
 */
export function UsageBars({
  days,
  value,
  format,
  label,
}: {
  days: DayUse[];
  value: (d: DayUse) => number;
  format: (n: number) => string;
  label: string;
}) {
  const values = days.map(value);
  const most = Math.max(0, ...values);
  const H = 100;
  return (
    <figure className="chart usage-bars" data-testid="usage-chart" data-days={days.length}>
      <figcaption>
        <span>{label}</span>
        <span className="meta">{format(most)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${days.length * 10} ${H}`} preserveAspectRatio="none" role="img" aria-label={label}>
        {days.map((d, i) => {
          const h = most > 0 ? (values[i]! / most) * H : 0;
          return (
            <rect key={d.day} x={i * 10 + 1} y={H - h} width={8} height={h} data-day={d.day}>
              <title>{`${d.day}: ${format(values[i]!)}`}</title>
            </rect>
          );
        })}
      </svg>
      {days.length > 0 && (
        <div className="usage-bars-axis meta">
          <span>{days[0]!.day}</span>
          <span>{days.at(-1)!.day}</span>
        </div>
      )}
    </figure>
  );
}
