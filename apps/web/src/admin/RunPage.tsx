import { useEffect, useRef, useState } from "react";
import { commandRefusal, type RunCommand } from "@benih/contracts";
import { api, type AdminError } from "./api.ts";
import { Chart } from "./Chart.tsx";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import { Badge, Candidates, Progress } from "./RunsPage.tsx";
import type { Words } from "./text.ts";

const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);

/** One run, refreshed every second: its charts, logs, checkpoints, placement and history, and its controls. */
export function RunPage({ id, w, onAuth }: { id: string; w: Words; onAuth: (e: AdminError) => void }) {
  const poll = usePoll(
    async () => {
      const [detail, series, logs] = await Promise.all([api.run(id), api.metrics(id), api.logs(id)]);
      return { detail, series, logs: logs.lines };
    },
    1000,
    id,
  );
  const [sent, setSent] = useState<{ command: string; error?: string }>();
  const logBox = useRef<HTMLPreElement>(null);
  const lastLog = poll.data?.logs.at(-1);
  // Follows the log's end, unless the reader scrolled up to read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new last log line is what moves it
  useEffect(() => {
    const el = logBox.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 60) el.scrollTop = el.scrollHeight;
  }, [lastLog?.attempt, lastLog?.offset]);

  if (poll.error && !poll.data) return <Problem error={poll.error} w={w} onAuth={onAuth} />;
  if (!poll.data) return null;
  const { run, events, checkpoints } = poll.data.detail;
  const { series, logs } = poll.data;
  const send = async (command: RunCommand) => {
    setSent({ command });
    try {
      await api.command(id, command);
      poll.reload();
    } catch (e) {
      setSent({ command, error: (e as Error).message });
    }
  };
  const button = (command: RunCommand, label: string) => (
    <button
      type="button"
      data-testid={command}
      onClick={() => void send(command)}
      disabled={!!commandRefusal(id, run.state, command)}
      title={commandRefusal(id, run.state, command) ?? ""}
    >
      {label}
    </button>
  );

  return (
    <article className="run" data-testid="run">
      <header className="run-head">
        <div>
          <h2>{run.id}</h2>
          <p className="meta">
            {run.recipe} · {run.dataset} ({run.market}) ·{" "}
            {run.cluster ? `${run.cluster}/${run.node} · ${run.accelerators} × ${run.accelerator}` : "—"}
          </p>
        </div>
        <Badge state={run.state} />
      </header>
      <Progress run={run} />
      <div className="controls">
        {button("pause", w.pause)}
        {button("resume", w.resume)}
        {button("checkpoint", w.checkpoint)}
        {button("stop", w.stop)}
        {sent?.error && (
          <span className="error" data-testid="command-error">
            {sent.error}
          </span>
        )}
      </div>
      <section className="charts">
        <Chart title={w.loss} series={series.loss} testid="chart-loss" />
        <Chart title={w.lr} series={series.lr} testid="chart-lr" />
        <Chart title={w.tokens} series={series.tokensPerSecond} testid="chart-tokens" />
      </section>
      <section>
        <h3>{w.logs}</h3>
        <pre className="logs" ref={logBox} data-testid="logs">
          {logs.length ? logs.map((l) => `${l.text}\n`).join("") : w.noLogs}
        </pre>
      </section>
      <div className="columns">
        <section>
          <h3>{w.checkpoints}</h3>
          {checkpoints.length ? (
            <table data-testid="checkpoints">
              <tbody>
                {[...checkpoints]
                  .reverse()
                  .slice(0, 20)
                  .map((c) => (
                    <tr key={c.step}>
                      <td>{c.step.toLocaleString()}</td>
                      <td className="meta">{new Date(c.at).toLocaleTimeString()}</td>
                      <td className="location" title={c.location}>
                        {c.location}
                      </td>
                      <td className="meta">{bytes(c.bytes)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          ) : (
            <p className="meta">{w.noCheckpoints}</p>
          )}
        </section>
        <section>
          <h3>{w.placement}</h3>
          <p>{run.placement.summary}</p>
          <Candidates placement={run.placement} w={w} />
        </section>
      </div>
      <section>
        <h3>{w.history}</h3>
        <ol className="history" data-testid="history">
          {events.map((e) => (
            <li key={e.seq}>
              <span className="meta">{new Date(e.at).toLocaleTimeString()}</span> <Badge state={e.toState} /> {e.reason}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
