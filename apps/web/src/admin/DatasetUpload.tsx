import { useState } from "react";
import type { DatasetReport, DatasetsView } from "@benih/contracts";
import { type AdminError, uploadDataset } from "./api.ts";
import { fill, type Words } from "./text.ts";

const size = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${Math.ceil(n / 1024)} KiB` : `${n} bytes`);

/** The region's report on an upload: kept or refused, the languages, and each broken line and duplicate it names. */
function Report({ r, w }: { r: DatasetReport; w: Words }) {
  const languages = Object.entries(r.languages)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${l} ${n.toLocaleString()}`)
    .join(", ");
  return (
    <div className="dataset-report" data-testid="dataset-report" data-accepted={r.accepted}>
      <p className={r.accepted ? "" : "error"}>
        {r.accepted
          ? fill(w.datasetKept, {
              dataset: r.dataset,
              split: r.split,
              region: r.region,
              examples: r.examples.toLocaleString(),
              lines: r.lines.toLocaleString(),
              bytes: size(r.bytes),
            })
          : fill(w.datasetRefused, { reason: r.reason ?? "" })}
      </p>
      {languages && <p className="meta">{fill(w.languagesFound, { languages })}</p>}
      {r.brokenCount > 0 && (
        <details open>
          <summary>{fill(w.brokenLines, { count: r.brokenCount.toLocaleString() })}</summary>
          <ul data-testid="broken-lines">
            {r.broken.map((b) => (
              <li key={b.line}>{fill(w.lineProblem, { line: b.line, problem: b.problem })}</li>
            ))}
          </ul>
        </details>
      )}
      {r.duplicateCount > 0 && (
        <details>
          <summary>{fill(w.duplicateLines, { count: r.duplicateCount.toLocaleString() })}</summary>
          <ul>
            {r.duplicates.map((d) => (
              <li key={d.line}>{fill(w.lineRepeats, d)}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** A dataset file for a market, sent through this server to its region's agent; the agent's report below. */
export function DatasetUpload({ w, options, onKept }: { w: Words; options?: DatasetsView; onKept: () => void }) {
  const markets = [...new Set(options?.datasets.map((d) => d.market))];
  const [form, setForm] = useState({ market: "", name: "", split: "train" });
  const [file, setFile] = useState<File>();
  const [state, setState] = useState<{ busy?: boolean; report?: DatasetReport; error?: string }>({});
  const market = form.market || markets[0] || "";
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const send = async () => {
    if (!file) return;
    setState({ busy: true });
    try {
      setState({ report: await uploadDataset({ ...form, market }, file) });
      onKept();
    } catch (e) {
      const err = e as AdminError;
      const report =
        err.details && typeof err.details === "object" && "accepted" in err.details ? (err.details as DatasetReport) : undefined;
      setState(report ? { report } : { error: err.message });
    }
  };
  return (
    <form
      className="new-run"
      data-testid="dataset-upload"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h2>{w.uploadDataset}</h2>
      <p className="meta wide">{w.uploadHint}</p>
      <label>
        {w.market}
        <select value={market} onChange={set("market")} data-testid="upload-market">
          {markets.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <label>
        {w.datasetName}
        <input value={form.name} required pattern="[a-z0-9][a-z0-9._\-]{0,63}" onChange={set("name")} data-testid="upload-name" />
      </label>
      <label>
        {w.split}
        <select value={form.split} onChange={set("split")}>
          <option>train</option>
          <option>validation</option>
          <option>eval</option>
        </select>
      </label>
      <label>
        {w.file}
        <input
          type="file"
          accept=".jsonl,.ndjson,.json,application/x-ndjson"
          onChange={(e) => setFile(e.target.files?.[0])}
          data-testid="upload-file"
        />
      </label>
      <button type="submit" disabled={state.busy || !file || !form.name || !market} data-testid="upload">
        {state.busy ? w.uploading : w.upload}
      </button>
      {state.report && <Report r={state.report} w={w} />}
      {state.error && <p className="error wide">{state.error}</p>}
    </form>
  );
}
