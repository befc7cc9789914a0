import type { AdminAuditView } from "@benih/contracts";
import { useEffect, useId, useState } from "react";
import { AdminError, api } from "./api.ts";
import { Problem } from "./Problem.tsx";
import { langOf, type Words } from "./text.ts";

/** Audit rows asked for at once (the server's default; its most is 500). */
export const AUDIT_PAGE = 100;
/** Characters of an entry's detail shown in the table; the whole is its title. */
const DETAIL_CHARS = 160;

/** The detail on one line, each field's value as JSON: `email: "a@b.c", role: "admin"`. */
export function compactDetail(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
}

/** What this market's admins did, newest first, a page at a time. */
export function AuditPage({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const [rows, setRows] = useState<AdminAuditView[]>();
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AdminError>();
  const headingId = useId();

  const load = async (before?: number) => {
    setBusy(true);
    try {
      const page = await api.audit(AUDIT_PAGE, before);
      setRows((r) => (before === undefined ? page : [...(r ?? []), ...page]));
      setMore(page.length >= AUDIT_PAGE);
      setError(undefined);
    } catch (e) {
      setError(e instanceof AdminError ? e : new AdminError(0, (e as Error).message));
    }
    setBusy(false);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page, once
  useEffect(() => {
    void load();
  }, []);

  if (error && !rows) return <Problem error={error} w={w} onAuth={onAuth} />;
  if (!rows) return null;
  const when = new Intl.DateTimeFormat(langOf(w), { dateStyle: "medium", timeStyle: "medium" });
  return (
    <section className="audit" aria-labelledby={headingId}>
      <h2 id={headingId}>{w.audit}</h2>
      <p className="meta">{w.auditIntro}</p>
      {rows.length === 0 ? (
        <p className="notice" data-testid="audit-empty">
          {w.noAudit}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="audit-list" aria-labelledby={headingId}>
            <thead>
              <tr>
                <th scope="col">{w.at}</th>
                <th scope="col">{w.actor}</th>
                <th scope="col">{w.action}</th>
                <th scope="col">{w.target}</th>
                <th scope="col">{w.detail}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => {
                const detail = compactDetail(r.detail);
                return (
                  // Two entries can share a millisecond, action and target; their place in the list tells them apart.
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are only ever appended
                  <tr key={`${r.at}-${i}`} data-testid="audit-row">
                    <td className="meta">
                      <time dateTime={new Date(r.at).toISOString()}>{when.format(r.at)}</time>
                    </td>
                    <td className="wrap">{r.actor}</td>
                    <td>
                      <code>{r.action}</code>
                    </td>
                    <td className="wrap">{r.target ? <code>{r.target}</code> : "—"}</td>
                    <td className="wrap audit-detail" title={detail.length > DETAIL_CHARS ? detail : undefined}>
                      {detail.length > DETAIL_CHARS ? `${detail.slice(0, DETAIL_CHARS)}…` : detail || "—"}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {error && <Problem error={error} w={w} onAuth={onAuth} />}
      {more && (
        <div className="controls">
          <button type="button" disabled={busy} onClick={() => void load(rows.at(-1)!.at)} data-testid="audit-older">
            {w.older}
          </button>
        </div>
      )}
    </section>
  );
}
