import { useId, useState } from "react";
import { type AdminError, api, download, linkCarriesAuth } from "./api.ts";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import { fill, langOf, type Words } from "./text.ts";
import { UsageBars } from "./UsageBars.tsx";
import { type DayUse, summarize, tokensOf, type Use } from "./usageSummary.ts";

const PERIODS = [7, 30, 90] as const;
type Metric = "requests" | "tokens" | "cost";
/** Rows of the top people and models shown. */
const TOP = 10;

async function load(days: number) {
  return { days, rows: await api.usage(days) };
}

/** This market's use: totals, who and which models used most, each day as bars and in a table, and the rows as CSV. */
export function UsagePage({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const [days, setDays] = useState<number>(30);
  const [metric, setMetric] = useState<Metric>("tokens");
  const [csvError, setCsvError] = useState<AdminError>();
  const usage = usePoll(() => load(days), 60_000, `usage-${days}`);
  const headingId = useId();
  const lang = langOf(w);
  const count = new Intl.NumberFormat(lang);
  const usd = new Intl.NumberFormat(lang, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });

  if (usage.error) return <Problem error={usage.error} w={w} onAuth={onAuth} />;

  const periods = (
    <fieldset className="feedback-filter">
      <legend className="meta">{w.period}</legend>
      {PERIODS.map((n) => (
        <button key={n} type="button" aria-pressed={days === n} data-testid="usage-days" data-days={n} onClick={() => setDays(n)}>
          {fill(w.days, { n })}
        </button>
      ))}
    </fieldset>
  );
  // Until the period just chosen has loaded, the page shows nothing of the one before as if it were this one.
  const shown = usage.data?.days === days ? summarize(usage.data.rows, days) : undefined;
  const csv = api.usageCsv(days);
  const filename = `market-usage-${days}d.csv`;
  const metrics: Record<Metric, { label: string; value: (d: DayUse) => number; format: (n: number) => string }> = {
    requests: { label: w.requests, value: (d) => d.requests, format: (n) => count.format(n) },
    tokens: { label: w.tokensUsed, value: tokensOf, format: (n) => count.format(n) },
    cost: { label: w.cost, value: (d) => d.costUsd, format: (n) => usd.format(n) },
  };
  const cells = (u: Use) => (
    <>
      <td className="num">{count.format(u.requests)}</td>
      <td className="num">{count.format(tokensOf(u))}</td>
      <td className="num">{usd.format(u.costUsd)}</td>
    </>
  );
  const heads = (
    <>
      <th scope="col" className="num">
        {w.requests}
      </th>
      <th scope="col" className="num">
        {w.tokensUsed}
      </th>
      <th scope="col" className="num">
        {w.cost}
      </th>
    </>
  );

  return (
    <section className="usage" aria-labelledby={headingId}>
      <h2 id={headingId}>{w.usage}</h2>
      <p className="meta">{fill(w.usageIntro, { days })}</p>
      <div className="usage-head">
        {periods}
        <a
          href={csv}
          download={filename}
          data-testid="usage-csv"
          onClick={(e) => {
            if (linkCarriesAuth()) return;
            e.preventDefault();
            setCsvError(undefined);
            download(csv, filename).catch((err: AdminError) => setCsvError(err));
          }}
        >
          {w.downloadCsv}
        </a>
      </div>
      {csvError && <Problem error={csvError} w={w} onAuth={onAuth} />}
      {shown && (
        <>
          <dl className="usage-totals" data-testid="usage-totals">
            <div>
              <dt>{w.requests}</dt>
              <dd>{count.format(shown.total.requests)}</dd>
            </div>
            <div>
              <dt>{w.promptTokens}</dt>
              <dd>{count.format(shown.total.promptTokens)}</dd>
            </div>
            <div>
              <dt>{w.completionTokens}</dt>
              <dd>{count.format(shown.total.completionTokens)}</dd>
            </div>
            <div>
              <dt>{w.cost}</dt>
              <dd>{usd.format(shown.total.costUsd)}</dd>
            </div>
          </dl>
          {shown.total.requests === 0 ? (
            <p className="notice" data-testid="usage-empty">
              {w.noUsage}
            </p>
          ) : (
            <>
              <fieldset className="feedback-filter">
                <legend className="meta">{w.chartShows}</legend>
                {(Object.keys(metrics) as Metric[]).map((m) => (
                  <button
                    key={m}
                    type="button"
                    aria-pressed={metric === m}
                    data-testid="usage-metric"
                    data-metric={m}
                    onClick={() => setMetric(m)}
                  >
                    {metrics[m].label}
                  </button>
                ))}
              </fieldset>
              <UsageBars days={shown.days} {...metrics[metric]} />
              <div className="columns">
                <div>
                  <h3>{w.topPeople}</h3>
                  <table data-testid="usage-people">
                    <thead>
                      <tr>
                        <th scope="col">{w.person}</th>
                        {heads}
                      </tr>
                    </thead>
                    <tbody>
                      {shown.people.slice(0, TOP).map((p) => (
                        <tr key={p.person ?? ""} data-testid="usage-person">
                          <td className="wrap">{p.person ?? <span className="meta">{w.noPerson}</span>}</td>
                          {cells(p)}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div>
                  <h3>{w.topModels}</h3>
                  <table data-testid="usage-models">
                    <thead>
                      <tr>
                        <th scope="col">{w.model}</th>
                        {heads}
                      </tr>
                    </thead>
                    <tbody>
                      {shown.models.slice(0, TOP).map((m) => (
                        <tr key={m.model} data-testid="usage-model">
                          <td className="wrap">
                            <code>{m.model}</code>
                          </td>
                          {cells(m)}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
              <div>
                <h3>{w.perDay}</h3>
                <table data-testid="usage-table">
                  <thead>
                    <tr>
                      <th scope="col">{w.day}</th>
                      {heads}
                    </tr>
                  </thead>
                  <tbody>
                    {shown.days
                      .filter((d) => d.requests > 0)
                      .reverse()
                      .map((d) => (
                        <tr key={d.day} data-testid="usage-day">
                          <th scope="row">{d.day}</th>
                          {cells(d)}
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
