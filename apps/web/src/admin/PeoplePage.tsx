import type { PersonPatch, PersonView } from "@benih/contracts";
import { useCallback, useEffect, useId, useState } from "react";
import { AdminError, api, hasAdminKey, signedIn } from "./api.ts";
import { InviteForm } from "./InviteForm.tsx";
import { PersonRow } from "./PersonRow.tsx";
import { usePoll } from "./poll.ts";
import { Problem } from "./Problem.tsx";
import type { Words } from "./text.ts";

/** People on one page of the list. */
export const PAGE = 50;
/** Typing pauses this long before the list is asked for again. */
const SEARCH_PAUSE_MS = 300;

/** This market's people, searched and paged: their role, whether they may sign in, their quota; and invitations. */
export function PeoplePage({ w, onAuth }: { w: Words; onAuth: (e: AdminError) => void }) {
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState("");
  const [offset, setOffset] = useState(0);
  const [failed, setFailed] = useState<AdminError>();
  const [me, setMe] = useState<string>();
  const headingId = useId();
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(typed.trim());
      setOffset(0);
    }, SEARCH_PAUSE_MS);
    return () => clearTimeout(t);
  }, [typed]);
  // Who is looking, so that their own row cannot be disabled or demoted (the server refuses it too). With a pasted key
  // the key is who asks, not the person signed in.
  useEffect(() => {
    if (!hasAdminKey()) void signedIn().then((p) => setMe(p?.id));
  }, []);
  const people = usePoll(() => api.people(query, PAGE, offset), 60_000, `people|${query}|${offset}`);
  const { reload } = people;

  const change = useCallback(
    async (p: PersonView, patch: PersonPatch) => {
      setFailed(undefined);
      try {
        await api.updatePerson(p.id, patch);
        reload();
        return true;
      } catch (e) {
        setFailed(e instanceof AdminError ? e : new AdminError(0, (e as Error).message));
        return false;
      }
    },
    [reload],
  );

  if (people.error) return <Problem error={people.error} w={w} onAuth={onAuth} />;
  const list = people.data;
  return (
    <section className="people" aria-labelledby={headingId}>
      <h2 id={headingId}>{w.people}</h2>
      <p className="meta">{w.peopleIntro}</p>
      <input
        type="search"
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
        placeholder={w.search}
        aria-label={w.search}
        maxLength={200}
        data-testid="people-search"
      />
      {failed &&
        (failed.code === "cannot_change_self" ? (
          <p className="notice error" role="alert">
            {w.cannotChangeSelf}
          </p>
        ) : failed.status === 404 ? (
          <p className="notice error" role="alert">
            {failed.message}
          </p>
        ) : (
          <Problem error={failed} w={w} onAuth={onAuth} />
        ))}
      {list &&
        (list.length === 0 && offset === 0 ? (
          <p className="notice" data-testid="people-empty">
            {query ? w.noMatch : w.noPeople}
          </p>
        ) : (
          <>
            <div className="table-scroll">
              <table className="people-list" aria-labelledby={headingId}>
                <thead>
                  <tr>
                    <th scope="col">{w.email}</th>
                    <th scope="col">{w.name}</th>
                    <th scope="col">{w.role}</th>
                    <th scope="col">{w.created}</th>
                    <th scope="col">{w.status}</th>
                    <th scope="col">{w.quota}</th>
                    <th scope="col">
                      <span className="sr">{w.disable}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((p) => (
                    <PersonRow key={p.id} person={p} you={p.id === me} w={w} change={change} />
                  ))}
                </tbody>
              </table>
            </div>
            {(offset > 0 || list.length >= PAGE) && (
              <div className="controls">
                <button
                  type="button"
                  disabled={offset === 0}
                  onClick={() => setOffset(Math.max(0, offset - PAGE))}
                  data-testid="people-previous"
                >
                  {w.previous}
                </button>
                <button type="button" disabled={list.length < PAGE} onClick={() => setOffset(offset + PAGE)} data-testid="people-next">
                  {w.next}
                </button>
              </div>
            )}
          </>
        ))}
      <InviteForm w={w} onAuth={onAuth} />
    </section>
  );
}
