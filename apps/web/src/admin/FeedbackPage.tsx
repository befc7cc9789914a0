import { useId, useState } from "react";
import type { FeedbackView } from "@benih/contracts";
import { ThumbDownIcon, ThumbUpIcon } from "../thread/icons.tsx";
import { api, type AdminError } from "./api.ts";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import { langOf, type Words } from "./text.ts";

type Rating = FeedbackView["rating"];
type Filter = Rating | "all";

/** Rated answers of each rating loaded at most: the server's own most. */
const LIMIT = 200;
/** Characters of an answer shown before "show the whole answer". */
const SHORT = 280;

const newestFirst = (a: FeedbackView, b: FeedbackView) => b.rated_at - a.rated_at || a.message_id.localeCompare(b.message_id);

/** Both ratings' lists, so that the counts are there whichever the filter. */
async function load() {
  const [up, down] = await Promise.all([api.feedback("up", LIMIT), api.feedback("down", LIMIT)]);
  return { up: up.data, down: down.data };
}

/** How many, with a "+" where a list came back full (there may be more). */
const count = (lists: FeedbackView[][]) => `${lists.reduce((n, l) => n + l.length, 0)}${lists.some((l) => l.length >= LIMIT) ? "+" : ""}`;

function RatingMark({ rating, w }: { rating: Rating; w: Words }) {
  return (
    <span className={`rating ${rating}`}>
      {rating === "up" ? <ThumbUpIcon on /> : <ThumbDownIcon on />} {rating === "up" ? w.ratedUp : w.ratedDown}
    </span>
  );
}

/** An answer cut after SHORT characters, with a button that shows it whole and back. */
function Answer({ text, w }: { text: string; w: Words }) {
  const [whole, setWhole] = useState(false);
  const id = useId();
  const chars = Array.from(text);
  const long = chars.length > SHORT;
  return (
    <>
      <div id={id} className="feedback-text" data-testid="feedback-answer">
        {long && !whole ? `${chars.slice(0, SHORT).join("").trimEnd()}…` : text}
      </div>
      {long && (
        <button type="button" className="ghost more" aria-expanded={whole} aria-controls={id} onClick={() => setWhole(!whole)}>
          {whole ? w.shorterAnswer : w.wholeAnswer}
        </button>
      )}
    </>
  );
}

/** How readers rated this market's answers: the counts, a filter by rating, and each rated answer with its question. */
export function FeedbackPage({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const feedback = usePoll(load, 15_000, "feedback");
  const [filter, setFilter] = useState<Filter>("all");
  const headingId = useId();
  if (feedback.error) return <Problem error={feedback.error} w={w} onAuth={onAuth} />;
  if (!feedback.data) return null;
  const { up, down } = feedback.data;
  const shown = filter === "up" ? up : filter === "down" ? down : [...up, ...down].sort(newestFirst);
  const when = new Intl.DateTimeFormat(langOf(w), { dateStyle: "medium", timeStyle: "short" });
  const option = (value: Filter, lists: FeedbackView[][]) => (
    <button
      type="button"
      aria-pressed={filter === value}
      data-testid="feedback-filter"
      data-rating={value}
      onClick={() => setFilter(value)}
    >
      {value === "all" ? w.allRatings : <RatingMark rating={value} w={w} />}{" "}
      <span className="count" data-testid={`feedback-count-${value}`}>
        {count(lists)}
      </span>
    </button>
  );
  return (
    <section className="feedback" data-testid="feedback" aria-labelledby={headingId}>
      <h2 id={headingId}>{w.feedback}</h2>
      <p className="meta">{w.feedbackIntro}</p>
      {up.length + down.length === 0 ? (
        <p className="notice" data-testid="feedback-empty">
          {w.noFeedback}
        </p>
      ) : (
        <>
          <fieldset className="feedback-filter">
            <legend className="meta">{w.showRatings}</legend>
            {option("all", [up, down])}
            {option("up", [up])}
            {option("down", [down])}
          </fieldset>
          {shown.length ? (
            <table className="feedback-list" aria-labelledby={headingId}>
              <thead>
                <tr>
                  <th scope="col">{w.rating}</th>
                  <th scope="col">{w.question}</th>
                  <th scope="col">{w.answer}</th>
                  <th scope="col">{w.model}</th>
                  <th scope="col">{w.ratedAt}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((f) => (
                  <tr key={f.message_id} data-testid="feedback-row" data-rating={f.rating}>
                    <td>
                      <RatingMark rating={f.rating} w={w} />
                    </td>
                    <td className="feedback-text" data-testid="feedback-question">
                      {f.question || "—"}
                    </td>
                    <td>
                      <Answer text={f.answer} w={w} />
                      {f.comment && (
                        <p className="feedback-comment" data-testid="feedback-comment">
                          <strong>{w.comment}</strong> {f.comment}
                        </p>
                      )}
                    </td>
                    <td>{f.model ? <code>{f.model}</code> : "—"}</td>
                    <td className="meta">
                      <time dateTime={new Date(f.rated_at).toISOString()}>{when.format(f.rated_at)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="notice">{w.noneWithRating}</p>
          )}
        </>
      )}
    </section>
  );
}
