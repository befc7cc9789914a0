import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { SeriesPoint } from "@benih/contracts";

/** One line of a chart: a run's metric over steps. */
export interface Line {
  label: string;
  points: SeriesPoint[];
}

/** Line colours after the brand's: told apart by people with the common colour-vision deficiencies too. */
const PALETTE = ["#e66100", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#6a3d9a"];

const cssVar = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/**
 * A line chart of a metric over steps (uPlot on a canvas), one line per run; new data is drawn in place, without a
 * new chart. With several lines, the caption is their legend, each with its last value.
 */
export function Chart({ title, lines, testid, log = false }: { title: string; lines: Line[]; testid: string; log?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const colors = lines.map((_, i) => (i === 0 ? cssVar("--brand", "#1f6feb") : PALETTE[(i - 1) % PALETTE.length]!));
  const labels = lines.map((l) => l.label).join("\n");

  // biome-ignore lint/correctness/useExhaustiveDependencies: the lines' labels (and so their colours) make a new chart
  useEffect(() => {
    const el = box.current!;
    const axis = { stroke: cssVar("--muted", "#60646c"), grid: { stroke: "rgba(128,128,128,0.15)" } };
    plot.current = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: 180,
        legend: { show: false },
        scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
        axes: [axis, { ...axis, size: 64, values: (_u: uPlot, ticks: number[]) => ticks.map(formatTick) }],
        series: [{}, ...colors.map((stroke) => ({ stroke, width: 1.5, points: { show: false }, spanGaps: true }))],
      },
      [[], ...colors.map(() => [])],
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [log, labels]);

  useEffect(() => {
    // Runs are sampled at different steps: joined on the union of their steps, each line unbroken across the others'.
    const tables = lines.map((l) => [l.points.map((p) => p.step), l.points.map((p) => p.value)] as uPlot.AlignedData);
    plot.current?.setData(tables.length === 1 ? tables[0]! : uPlot.join(tables));
  }, [lines]);

  const single = lines.length === 1 ? lines[0]!.points.at(-1) : undefined;
  const lastStep = Math.max(0, ...lines.map((l) => l.points.at(-1)?.step ?? 0));
  return (
    <figure
      className="chart"
      data-testid={testid}
      data-lines={lines.length}
      data-points={lines.reduce((n, l) => n + l.points.length, 0)}
      data-last-step={lastStep}
    >
      <figcaption>
        <span>{title}</span>
        {lines.length === 1 ? (
          <span className="meta">{single ? `${formatValue(single.value)} @ ${single.step}` : "—"}</span>
        ) : (
          <span className="legend">
            {lines.map((l, i) => {
              const last = l.points.at(-1);
              return (
                <span key={l.label} className="meta" data-testid="legend-entry">
                  <i style={{ background: colors[i] }} aria-hidden="true" />
                  {l.label} {last ? formatValue(last.value) : "—"}
                </span>
              );
            })}
          </span>
        )}
      </figcaption>
      <div ref={box} />
    </figure>
  );
}

const formatTick = (v: number) =>
  v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(1) : Math.abs(v) >= 10_000 ? `${Math.round(v / 1000)}k` : String(+v.toPrecision(3));

export const formatValue = (v: number) =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString() : Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(2) : v.toFixed(4);
