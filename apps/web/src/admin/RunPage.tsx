import { useEffect, useMemo, useRef, useState } from "react";
import { commandRefusal, type RunCommand, type RunModel, type RunView } from "@benih/contracts";
import { api, type AdminError } from "./api.ts";
import { Chart, formatValue } from "./Chart.tsx";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import { Badge, Candidates, Progress } from "./RunsPage.tsx";
import { fill, type Words } from "./text.ts";

/** A score as read: benih's exact-match and tool-call rates as percentages, anything else as its number. */
export const scoreText = (name: string, value: number) =>
  / (exact|tool call)$/.test(name) && value >= 0 && value <= 1 ? `${(100 * value).toFixed(1)}%` : formatValue(value);

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
  const series = poll.data?.series;
  const charts = useMemo(
    () =>
      series && {
        loss: [{ label: w.loss, points: series.loss }],
        lr: [{ label: w.lr, points: series.lr }],
        tokens: [{ label: w.tokens, points: series.tokensPerSecond }],
      },
    [series, w],
  );
  // Follows the log's end, unless the reader scrolled up to read.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new last log line is what moves it
  useEffect(() => {
    const el = logBox.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 60) el.scrollTop = el.scrollHeight;
  }, [lastLog?.attempt, lastLog?.offset]);

  if (poll.error && !poll.data) return <Problem error={poll.error} w={w} onAuth={onAuth} />;
  if (!poll.data || !charts) return null;
  const { run, events, checkpoints, scores, model } = poll.data.detail;
  const { logs } = poll.data;
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
      <Annotations key={run.id} run={run} w={w} onSaved={poll.reload} />
      <section className="charts">
        <Chart title={w.loss} lines={charts.loss} testid="chart-loss" />
        <Chart title={w.lr} lines={charts.lr} testid="chart-lr" />
        <Chart title={w.tokens} lines={charts.tokens} testid="chart-tokens" />
      </section>
      <section>
        <h3>{w.scores}</h3>
        {scores.length ? (
          <table className="scores" data-testid="scores">
            <tbody>
              {scores.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td>{scoreText(s.name, s.value)}</td>
                  <td className="meta">{s.count === undefined ? "" : `n = ${s.count.toLocaleString()}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="meta">{w.noScores}</p>
        )}
      </section>
      <Serving run={run} model={model} w={w} />
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

/**
 * The run's model put to work: promoted to its market's chat model at once, and what each of the market's promoted
 * ids serves now, each with its rollback; the market's last promotions below.
 */
function Serving({ run, model, w }: { run: RunView; model: RunModel | null; w: Words }) {
  const poll = usePoll(api.promotions, 2000, run.id);
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});
  const act = async (work: () => Promise<unknown>) => {
    setState({ busy: true });
    try {
      await work();
      setState({});
      poll.reload();
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };
  const servable = !!model && run.state === "succeeded";
  const serving = poll.data?.serving.filter((s) => s.market === run.market) ?? [];
  const log = poll.data?.promotions.filter((p) => p.market === run.market).slice(0, 5) ?? [];
  const what = (runId: string | null) => (runId ? fill(w.servedRun, { run: runId }) : w.servedShipped);
  return (
    <section data-testid="serving">
      <h3>{w.serving}</h3>
      <p className="meta">
        {servable
          ? `${fill(w.promoteHint, { kind: model.kind === "adapter" ? w.kindAdapter : w.kindModel, market: run.market })} (${bytes(model.bytes)})`
          : w.notServable}
      </p>
      {serving.map((s) => (
        <p key={s.model} data-testid="served">
          {s.runId === run.id
            ? fill(w.servedNow, { market: s.market, model: s.model, time: new Date(s.since).toLocaleTimeString() })
            : fill(w.servedOther, { market: s.market, model: s.model, what: what(s.runId) })}
        </p>
      ))}
      <div className="controls">
        <button
          type="button"
          data-testid="promote"
          disabled={!servable || state.busy}
          onClick={() => void act(() => api.promote(run.id, { market: run.market }))}
        >
          {fill(w.promote, { market: run.market })}
        </button>
        {serving
          .filter((s) => s.runId)
          .map((s) => (
            <button
              key={s.model}
              type="button"
              data-testid="rollback"
              disabled={state.busy}
              onClick={() => void act(() => api.rollback({ market: s.market, model: s.model }))}
            >
              {fill(w.rollback, { model: s.model })}
            </button>
          ))}
        {state.error && (
          <span className="error" data-testid="promote-error">
            {state.error}
          </span>
        )}
      </div>
      {log.length > 0 && (
        <>
          <h4>{fill(w.promotionLog, { market: run.market })}</h4>
          <ol className="history" data-testid="promotions">
            {log.map((p) => (
              <li key={p.id}>
                <span className="meta">{new Date(p.at).toLocaleTimeString()}</span> {p.model} {p.action === "promote" ? "→" : "↶"}{" "}
                {what(p.runId)} <span className="meta">({p.by})</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** The run's tags and note, as the team keeps them to find and compare runs. */
function Annotations({ run, w, onSaved }: { run: RunView; w: Words; onSaved: () => void }) {
  const [tags, setTags] = useState(run.tags.join(", "));
  const [note, setNote] = useState(run.note);
  const [state, setState] = useState<{ saving?: boolean; saved?: boolean; error?: string }>({});
  const changed = tags !== run.tags.join(", ") || note !== run.note;
  const save = async () => {
    setState({ saving: true });
    try {
      const list = [
        ...new Set(
          tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      ];
      await api.annotate(run.id, { tags: list, note });
      setTags(list.join(", "));
      setState({ saved: true });
      onSaved();
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };
  return (
    <form
      className="annotations"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        {w.tags}
        <input value={tags} placeholder={w.tagsHint} onChange={(e) => setTags(e.target.value)} data-testid="run-tags" />
      </label>
      <label>
        {w.note}
        <textarea value={note} rows={2} maxLength={4000} onChange={(e) => setNote(e.target.value)} data-testid="run-note" />
      </label>
      <button type="submit" disabled={!changed || state.saving} data-testid="save-annotations">
        {w.save}
      </button>
      {state.saved && !changed && <span className="meta">{w.saved}</span>}
      {state.error && <span className="error">{state.error}</span>}
    </form>
  );
}
