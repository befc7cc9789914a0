import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { SeriesPoint } from "@benih/contracts";

/** A line chart of one metric over steps (uPlot on a canvas); new data is drawn in place, without a new chart. */
export function Chart({ title, series, testid, log = false }: { title: string; series: SeriesPoint[]; testid: string; log?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const color = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1f6feb";
    const axis = {
      stroke: getComputedStyle(document.documentElement).getPropertyValue("--muted").trim() || "#60646c",
      grid: { stroke: "rgba(128,128,128,0.15)" },
    };
    plot.current = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: 180,
        legend: { show: false },
        scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
        axes: [axis, { ...axis, size: 64, values: (_u: uPlot, ticks: number[]) => ticks.map(formatTick) }],
        series: [{}, { stroke: color, width: 1.5, points: { show: false } }],
      },
      [[], []],
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [log]);

  useEffect(() => {
    plot.current?.setData([series.map((p) => p.step), series.map((p) => p.value)]);
  }, [series]);

  const last = series.at(-1);
  return (
    <figure className="chart" data-testid={testid} data-points={series.length} data-last-step={last?.step ?? 0}>
      <figcaption>
        <span>{title}</span>
        <span className="meta">{last ? `${formatValue(last.value)} @ ${last.step}` : "—"}</span>
      </figcaption>
      <div ref={box} />
    </figure>
  );
}

const formatTick = (v: number) =>
  v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(1) : Math.abs(v) >= 10_000 ? `${Math.round(v / 1000)}k` : String(+v.toPrecision(3));

export const formatValue = (v: number) =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString() : Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(2) : v.toFixed(4);
