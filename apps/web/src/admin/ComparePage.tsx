import { useMemo } from "react";
import type { RunDetail, RunView } from "@benih/contracts";
import { api, type AdminError } from "./api.ts";
import { Chart, formatValue } from "./Chart.tsx";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import { scoreText } from "./RunPage.tsx";
import { Badge, RunName, Tags } from "./RunsPage.tsx";
import type { Words } from "./text.ts";

/** Several runs side by side, refreshed every two seconds: their loss and learning-rate curves on one chart each. */
export function ComparePage({
  ids,
  w,
  go,
  onAuth,
}: {
  ids: string[];
  w: Words;
  go: (to: string) => void;
  onAuth: (e: AdminError) => void;
}) {
  const poll = usePoll(
    () => Promise.all(ids.map(async (id) => ({ detail: await api.run(id), series: await api.metrics(id) }))),
    2000,
    ids.join(","),
  );
  const runs = poll.data;
  const charts = useMemo(
    () =>
      runs && {
        loss: runs.map((r) => ({ label: `${tagsOf(r.detail.run, " · ")}${r.detail.run.id}`, points: r.series.loss })),
        lr: runs.map((r) => ({ label: `${tagsOf(r.detail.run, " · ")}${r.detail.run.id}`, points: r.series.lr })),
      },
    [runs],
  );
  if (poll.error && !runs) return <Problem error={poll.error} w={w} onAuth={onAuth} />;
  if (!runs || !charts) return null;
  return (
    <article className="compare" data-testid="compare">
      <h2>{w.compareRuns}</h2>
      <section className="charts wide">
        <Chart title={w.loss} lines={charts.loss} testid="compare-loss" />
        <Chart title={w.lr} lines={charts.lr} testid="compare-lr" />
      </section>
      <table className="runs" data-testid="compare-table">
        <thead>
          <tr>
            <th>{w.run}</th>
            <th>{w.state}</th>
            <th>{w.dataset}</th>
            <th>{w.step}</th>
            <th>{w.lastLoss}</th>
            <th>{w.tags}</th>
            <th>{w.note}</th>
          </tr>
        </thead>
        <tbody>
          {runs.map(({ detail: { run }, series }) => (
            <tr key={run.id}>
              <td>
                <RunName run={run} go={go} />
              </td>
              <td>
                <Badge state={run.state} />
              </td>
              <td>
                {run.dataset} <span className="meta">({run.market})</span>
              </td>
              <td>{run.step.toLocaleString()}</td>
              <td>{series.loss.length ? formatValue(series.loss.at(-1)!.value) : "—"}</td>
              <td>
                <Tags tags={run.tags} />
              </td>
              <td className="note">{run.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Scores runs={runs.map((r) => r.detail)} w={w} />
    </article>
  );
}

/** A run as the team calls it: its tags (then `after`), where it has some. */
const tagsOf = (run: RunView, after: string) => (run.tags.length ? `${run.tags.join(", ")}${after}` : "");

/** Every score any of the runs has, one row each, the runs side by side. */
function Scores({ runs, w }: { runs: RunDetail[]; w: Words }) {
  const names = [...new Set(runs.flatMap((r) => r.scores.map((s) => s.name)))].sort();
  if (!names.length) return <p className="meta">{w.noScores}</p>;
  return (
    <table className="runs scores" data-testid="compare-scores">
      <thead>
        <tr>
          <th>{w.scores}</th>
          {runs.map((r) => (
            <th key={r.run.id}>{tagsOf(r.run, "") || r.run.id}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <td>{name}</td>
            {runs.map((r) => {
              const s = r.scores.find((x) => x.name === name);
              return <td key={r.run.id}>{s ? scoreText(name, s.value) : "—"}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
