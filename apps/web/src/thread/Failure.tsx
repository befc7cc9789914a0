import { useId, useState } from "react";
import { t, type Locale } from "../i18n.ts";
import type { FailureKey } from "./errors.ts";

/** A failure said for people (what happened, what to do), with the raw error behind a "details" toggle. */
export function Failure({
  locale,
  explain,
  detail,
  testId,
}: {
  locale: Locale;
  explain: FailureKey;
  detail: string | null;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="failure" data-testid={testId} data-kind={explain}>
      <p className="failure-text">{t(locale, explain)}</p>
      {detail && (
        <>
          <button type="button" className="ghost details-toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
            {t(locale, open ? "hideDetails" : "showDetails")}
          </button>
          <pre id={id} className="failure-detail" data-testid={`${testId}-detail`} hidden={!open}>
            {detail}
          </pre>
        </>
      )}
    </div>
  );
}
