import { useState } from "react";
import type { DatasetsView, PlacementDecision, PlacementGroup, RunView } from "@benih/contracts";
import { api, type AdminError } from "./api.ts";
import { DatasetUpload } from "./DatasetUpload.tsx";
import { usePoll } from "./poll.ts";
import type { Words } from "./text.ts";
import { Problem } from "./Problem.tsx";
import { Regions } from "./Regions.tsx";

export function Progress({ run }: { run: Pick<RunView, "step" | "steps"> }) {
  const pct = Math.min(100, (run.step / run.steps) * 100);
  return (
    <div className="progress" title={`${run.step} / ${run.steps}`}>
      <div style={{ width: `${pct}%` }} />
      <span>
        {run.step.toLocaleString()} / {run.steps.toLocaleString()}
      </span>
    </div>
  );
}

export const Badge = ({ state }: { state: string }) => (
  <span className={`badge ${state}`} data-testid="state">
    {state}
  </span>
);

export const Tags = ({ tags }: { tags: string[] }) => (
  <span className="tags">
    {tags.map((t) => (
      <span key={t} className="tag">
        {t}
      </span>
    ))}
  </span>
);

/** A run's id, linking to its page, over its recipe. */
export const RunName = ({ run, go }: { run: Pick<RunView, "id" | "recipe">; go: (to: string) => void }) => (
  <>
    <a
      href={`/admin/runs/${run.id}`}
      onClick={(e) => {
        e.preventDefault();
        go(`/admin/runs/${run.id}`);
      }}
    >
      {run.id}
    </a>
    <div className="meta">{run.recipe}</div>
  </>
);

/** "bj-1", or "bj-1, bj-2 +40" for a group larger than the ids it names. */
const clustersOf = (g: PlacementGroup, skip?: string) => {
  const named = g.clusters.filter((c) => c !== skip);
  const more = g.count - g.clusters.length;
  return named.join(", ") + (more > 0 ? ` +${more}` : "");
};

/** A placement decision: the chosen cluster, the others that could have taken the run, and each reason for refusal. */
export function Candidates({ placement, w }: { placement: PlacementDecision; w: Words }) {
  const { placed, eligible, refused, moreRefused } = placement;
  const others = eligible.count - (placed ? 1 : 0);
  return (
    <ul className="candidates" data-testid="placement">
      {placed && (
        <li className="chosen">
          <strong>
            {placed.cluster} <span className="meta">({placed.region})</span>
          </strong>{" "}
          {`${w.chosen}: ${placed.node} · ${placed.accelerator}`}
        </li>
      )}
      {others > 0 && (
        <li>
          <strong>{clustersOf(eligible, placed?.cluster)}</strong> {w.eligible}
        </li>
      )}
      {refused.map((g) => (
        <li key={g.reasons.join("\n")} className="refused">
          <strong>{clustersOf(g)}</strong> {`${w.refused}: ${g.reasons.join("; ")}`}
        </li>
      ))}
      {moreRefused > 0 && (
        <li className="refused">
          <strong>+{moreRefused}</strong> {w.refused}
        </li>
      )}
    </ul>
  );
}

function NewRun({ w, go, onCreated, options }: { w: Words; go: (to: string) => void; onCreated: () => void; options?: DatasetsView }) {
  const [form, setForm] = useState({ recipe: "tiny", dataset: "", steps: "6000", accelerator: "", count: "1" });
  const [refusal, setRefusal] = useState<{ message: string; placement?: PlacementDecision }>();
  const [preview, setPreview] = useState<PlacementDecision>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [k]: e.target.value });
    setPreview(undefined);
  };
  const dataset = form.dataset || options?.datasets[0]?.id || "";
  const body = () => ({
    recipe: form.recipe,
    dataset,
    steps: Number(form.steps),
    count: Number(form.count),
    ...(form.accelerator && { accelerator: form.accelerator }),
  });
  const showPreview = async () => {
    setRefusal(undefined);
    try {
      setPreview(await api.preview(body()));
    } catch (e) {
      setRefusal({ message: (e as AdminError).message });
    }
  };
  const submit = async () => {
    setBusy(true);
    setRefusal(undefined);
    setPreview(undefined);
    try {
      const created = await api.create(body());
      onCreated();
      go(`/admin/runs/${created.id}`);
    } catch (e) {
      const err = e as AdminError;
      const placement =
        err.details && typeof err.details === "object" && "refused" in err.details ? (err.details as PlacementDecision) : undefined;
      setRefusal({ message: err.message, ...(placement && { placement }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="new-run"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{w.newRun}</h2>
      <label>
        {w.recipe}
        <select value={form.recipe} onChange={set("recipe")} data-testid="new-recipe">
          {(options?.recipes ?? ["tiny"]).map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        {w.dataset}
        <select value={dataset} onChange={set("dataset")} data-testid="new-dataset">
          {options?.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.id} ({d.market}, {d.region})
            </option>
          ))}
        </select>
      </label>
      <label>
        {w.steps}
        <input type="number" min={1} value={form.steps} onChange={set("steps")} data-testid="new-steps" />
      </label>
      <label>
        {w.accelerator}
        <input value={form.accelerator} placeholder={w.any} onChange={set("accelerator")} data-testid="new-accelerator" />
      </label>
      <label>
        {w.count}
        <input type="number" min={1} value={form.count} onChange={set("count")} />
      </label>
      <button type="button" className="ghost" disabled={!dataset} onClick={() => void showPreview()} data-testid="preview">
        {w.preview}
      </button>
      <button type="submit" disabled={busy || !dataset} data-testid="create">
        {w.create}
      </button>
      {preview && (
        <div className="preview" data-testid="preview-placement">
          <p>{preview.placed ? preview.summary : `${w.previewNowhere} ${preview.summary}`}</p>
          <Candidates placement={preview} w={w} />
        </div>
      )}
      {refusal && (
        <div className="refusal" data-testid="refusal">
          <p className="error">{refusal.message}</p>
          {refusal.placement && <Candidates placement={refusal.placement} w={w} />}
        </div>
      )}
    </form>
  );
}

export function RunsPage({ w, go, onAuth }: { w: Words; go: (to: string) => void; onAuth: (e: AdminError) => void }) {
  const runs = usePoll(() => api.runs(), 2000, "runs");
  const options = usePoll(() => api.datasets(), 60_000, "datasets");
  const [picked, setPicked] = useState<string[]>([]);
  if (runs.error) return <Problem error={runs.error} w={w} onAuth={onAuth} />;
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <>
      <Regions w={w} />
      <div className="compare-bar">
        <button
          type="button"
          disabled={picked.length < 2}
          title={picked.length < 2 ? w.compareHint : ""}
          onClick={() => go(`/admin/compare?runs=${picked.join(",")}`)}
          data-testid="compare-runs"
        >
          {w.compare}
          {picked.length ? ` (${picked.length})` : ""}
        </button>
        {picked.length < 2 && <span className="meta">{w.compareHint}</span>}
      </div>
      <table className="runs" data-testid="runs">
        <thead>
          <tr>
            <th aria-label={w.compare} />
            <th>{w.run}</th>
            <th>{w.state}</th>
            <th>{w.dataset}</th>
            <th>{w.where}</th>
            <th>{w.progress}</th>
            <th>{w.updated}</th>
          </tr>
        </thead>
        <tbody>
          {runs.data?.runs.map((r) => (
            <tr key={r.id} data-testid="run-row">
              <td>
                <input
                  type="checkbox"
                  checked={picked.includes(r.id)}
                  onChange={() => toggle(r.id)}
                  aria-label={`${w.compare} ${r.id}`}
                  data-testid="pick-run"
                />
              </td>
              <td>
                <RunName run={r} go={go} />
                <Tags tags={r.tags} />
              </td>
              <td>
                <Badge state={r.state} />
              </td>
              <td>
                {r.dataset} <span className="meta">({r.market})</span>
              </td>
              <td>
                {r.cluster ?? "—"}
                {r.accelerator && <div className="meta">{`${r.accelerators} × ${r.accelerator}`}</div>}
              </td>
              <td>
                <Progress run={r} />
              </td>
              <td className="meta">{new Date(r.updatedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.data && !runs.data.runs.length && <p className="notice">{w.noRuns}</p>}
      <NewRun w={w} go={go} onCreated={runs.reload} options={options.data} />
      <DatasetUpload w={w} options={options.data} onKept={options.reload} />
    </>
  );
}
