import type { PersonPatch, PersonView, QuotaLimits } from "@benih/contracts";
import { type FormEvent, useState } from "react";
import { createPortal } from "react-dom";
import { Dialog } from "../Dialog.tsx";
import { fieldsOf, type QuotaFields, quotaOf } from "./quotaForm.ts";
import { fill, langOf, type Words } from "./text.ts";

/** The person's own limits in a few words, or that the market's apply. */
export function quotaText(q: QuotaLimits | null, w: Words): string {
  const count = new Intl.NumberFormat(langOf(w));
  const usd = new Intl.NumberFormat(langOf(w), { style: "currency", currency: "USD", maximumFractionDigits: 2 });
  const parts = [
    q?.requestsPerMinute !== undefined && fill(w.quotaRpmShort, { n: count.format(q.requestsPerMinute) }),
    q?.tokensPerDay !== undefined && fill(w.quotaTpdShort, { n: count.format(q.tokensPerDay) }),
    q?.costPerMonthUsd !== undefined && fill(w.quotaCpmShort, { n: usd.format(q.costPerMonthUsd) }),
    q?.audioSecondsPerDay !== undefined && fill(w.quotaAsdShort, { n: count.format(q.audioSecondsPerDay) }),
  ].filter((p): p is string => !!p);
  return parts.length ? parts.join(" · ") : w.quotaDefault;
}

/**
 * One person of the market: their role (changed at once), whether they are disabled (changed after asking) and their
 * quota (edited in place). `you`: the admin looking, who may not disable themself or give up their own role.
 */
export function PersonRow({
  person: p,
  you,
  w,
  change,
}: {
  person: PersonView;
  you: boolean;
  w: Words;
  /** Sends the change; resolves once it is saved (or failed, which the page shows). */
  change: (p: PersonView, patch: PersonPatch) => Promise<boolean>;
}) {
  const [asking, setAsking] = useState(false);
  const [quota, setQuota] = useState<QuotaFields>();
  const [busy, setBusy] = useState(false);
  const date = (ms: number) => new Intl.DateTimeFormat(langOf(w), { dateStyle: "medium" }).format(ms);
  const who = p.email ?? p.name;
  const disabled = p.disabledAt !== null;

  const send = async (patch: PersonPatch) => {
    setBusy(true);
    const ok = await change(p, patch);
    setBusy(false);
    return ok;
  };
  const saveQuota = async (e: FormEvent, q: QuotaLimits | null | undefined) => {
    e.preventDefault();
    if (q !== undefined && (await send({ quota: q }))) setQuota(undefined);
  };
  const parsed = quota && quotaOf(quota);

  return (
    <>
      <tr data-testid="people-row" data-id={p.id} data-disabled={disabled} className={disabled ? "person-off" : undefined}>
        <td className="wrap">
          {p.email ?? "—"}
          {you && <span className="meta"> ({w.you})</span>}
        </td>
        <td className="wrap">{p.name}</td>
        <td>
          <select
            value={p.role}
            aria-label={`${w.role}: ${who}`}
            disabled={busy || you}
            onChange={(e) => void send({ role: e.target.value as PersonView["role"] })}
            data-testid="person-role"
          >
            <option value="member">{w.roleMember}</option>
            <option value="admin">{w.roleAdmin}</option>
          </select>
        </td>
        <td className="meta">
          <time dateTime={new Date(p.createdAt).toISOString()}>{date(p.createdAt)}</time>
        </td>
        <td data-testid="person-status">{disabled ? fill(w.disabledSince, { date: date(p.disabledAt!) }) : w.active}</td>
        <td>
          <span data-testid="person-quota">{quotaText(p.quota, w)}</span>{" "}
          <button
            type="button"
            className="ghost link"
            aria-expanded={!!quota}
            disabled={busy}
            onClick={() => setQuota(quota ? undefined : fieldsOf(p.quota))}
            data-testid="person-quota-edit"
          >
            {w.quotaEdit}
          </button>
        </td>
        <td>
          <button type="button" className="ghost" disabled={busy || you} onClick={() => setAsking(true)} data-testid="person-disable">
            {disabled ? w.enable : w.disable}
          </button>
        </td>
      </tr>
      {quota && (
        <tr className="quota-row">
          <td colSpan={7}>
            <form className="new-run quota-form" onSubmit={(e) => void saveQuota(e, parsed)} data-testid="quota-form">
              <p className="meta">{w.quotaIntro}</p>
              {(
                [
                  ["requestsPerMinute", w.quotaRpm],
                  ["tokensPerDay", w.quotaTpd],
                  ["costPerMonthUsd", w.quotaCpm],
                  ["audioSecondsPerDay", w.quotaAsd],
                ] as const
              ).map(([field, label]) => (
                <label key={field}>
                  {label}
                  <input
                    inputMode={field === "costPerMonthUsd" ? "decimal" : "numeric"}
                    value={quota[field]}
                    placeholder={w.quotaDefault}
                    onChange={(e) => setQuota({ ...quota, [field]: e.target.value })}
                    data-testid={`quota-${field}`}
                  />
                </label>
              ))}
              <button type="submit" disabled={busy || parsed === undefined} data-testid="quota-save">
                {w.save}
              </button>
              {p.quota && (
                <button type="button" className="ghost" disabled={busy} onClick={(e) => void saveQuota(e, null)} data-testid="quota-reset">
                  {w.quotaReset}
                </button>
              )}
              <button type="button" className="ghost" onClick={() => setQuota(undefined)}>
                {w.cancel}
              </button>
              {parsed === undefined && (
                <p className="refusal notice error" role="alert">
                  {w.quotaInvalid}
                </p>
              )}
            </form>
          </td>
        </tr>
      )}
      {/* A <dialog> cannot sit in a table's body: it is drawn at the document's end. */}
      {asking &&
        createPortal(
          <Dialog
            label={fill(disabled ? w.enableTitle : w.disableTitle, { who })}
            onClose={() => setAsking(false)}
            className="panel small-dialog"
            testId="person-disable-dialog"
          >
            <h2>{fill(disabled ? w.enableTitle : w.disableTitle, { who })}</h2>
            <p>{disabled ? w.enableBody : w.disableBody}</p>
            <div className="dialog-actions">
              <button type="button" className="ghost" data-testid="dialog-cancel" onClick={() => setAsking(false)}>
                {w.cancel}
              </button>
              <button
                type="button"
                className={disabled ? "primary" : "danger"}
                data-testid="dialog-confirm"
                onClick={() => {
                  setAsking(false);
                  void send({ disabled: !disabled });
                }}
              >
                {disabled ? w.enable : w.disable}
              </button>
            </div>
          </Dialog>,
          document.body,
        )}
    </>
  );
}
