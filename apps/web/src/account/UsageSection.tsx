import type { UsageRow } from "@benih/contracts";
import { useEffect, useState } from "react";
import { myUsage, myUsageCsv } from "../api/account.ts";
import { hasApiKey, mediaUrl } from "../api/http.ts";
import { fillText, type Locale } from "../i18n.ts";
import { at } from "../text/account.ts";
import { errorText } from "./errors.ts";
import { usageByDay } from "./usageByDay.ts";

const DAYS = 30;

/** The person's own use of the server over the last 30 days: totals, each day, and the rows as CSV. */
export function UsageSection({ locale }: { locale: Locale }) {
  const [rows, setRows] = useState<UsageRow[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    myUsage(DAYS).then(setRows, setError);
  }, []);

  const count = new Intl.NumberFormat(locale);
  const usd = new Intl.NumberFormat(locale, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const { days, total } = usageByDay(rows ?? []);
  const csv = myUsageCsv(DAYS);

  return (
    <section className="account-part" aria-labelledby="usage-title">
      <h3 id="usage-title">{at(locale, "usageTitle")}</h3>
      <p className="meta">{fillText(at(locale, "usagePeriod"), { days: DAYS })}</p>
      {error !== undefined && <p role="alert">{errorText(locale, error)}</p>}
      {!rows && error === undefined && <p className="meta">{at(locale, "loading")}</p>}
      {rows && (
        <>
          <dl className="usage-totals">
            <div>
              <dt>{at(locale, "usageRequests")}</dt>
              <dd>{count.format(total.requests)}</dd>
            </div>
            <div>
              <dt>{at(locale, "usageTokens")}</dt>
              <dd>{count.format(total.tokens)}</dd>
            </div>
            <div>
              <dt>{at(locale, "usageCost")}</dt>
              <dd>{usd.format(total.costUsd)}</dd>
            </div>
          </dl>
          {days.length === 0 ? (
            <p className="meta">{at(locale, "usageNone")}</p>
          ) : (
            <table className="usage-table" data-testid="usage-table">
              <thead>
                <tr>
                  <th scope="col">{at(locale, "usageDay")}</th>
                  <th scope="col">{at(locale, "usageRequests")}</th>
                  <th scope="col">{at(locale, "usageTokens")}</th>
                  <th scope="col">{at(locale, "usageCost")}</th>
                </tr>
              </thead>
              <tbody>
                {days.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{d.day}</th>
                    <td>{count.format(d.requests)}</td>
                    <td>{count.format(d.tokens)}</td>
                    <td>{usd.format(d.costUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <a
            className="usage-csv"
            href={csv}
            download={`usage-${DAYS}d.csv`}
            data-testid="usage-csv"
            onClick={(e) => {
              // A link sends the cookie but not a key kept in this browser: with a key the file is fetched with it.
              if (!hasApiKey()) return;
              e.preventDefault();
              void mediaUrl(csv).then((url) => {
                Object.assign(document.createElement("a"), { href: url, download: `usage-${DAYS}d.csv` }).click();
              }, setError);
            }}
          >
            {at(locale, "usageCsv")}
          </a>
        </>
      )}
    </section>
  );
}
