import { useCallback, useEffect, useState } from "react";
import { forgetAdminKey, setAdminKey, type AdminError } from "./api.ts";
import { AuditPage } from "./AuditPage.tsx";
import { ComparePage } from "./ComparePage.tsx";
import { FeedbackPage } from "./FeedbackPage.tsx";
import { FleetPage } from "./FleetPage.tsx";
import { PeoplePage } from "./PeoplePage.tsx";
import { RunPage } from "./RunPage.tsx";
import { RunsPage } from "./RunsPage.tsx";
import { useTheme } from "../hooks/useTheme.ts";
import { preferences } from "../preferences.ts";
import { SetupPage } from "./SetupPage.tsx";
import { langOf, words } from "./text.ts";
import { UsagePage } from "./UsagePage.tsx";
import "./admin.css";

/**
 * The admin pages at /admin: training runs, one run, the fleet, the server's setup, how readers rated answers, and
 * the market's people, usage and audit log. Loaded only when an admin opens them.
 */
export default function Admin() {
  const w = words();
  const [path, setPath] = useState(location.pathname);
  const [auth, setAuth] = useState<{ asked: boolean; refused?: boolean }>({ asked: false });
  const [key, setKey] = useState("");
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  // The language and theme the reader chose in the chat app on this host.
  useTheme(preferences.load(preferences.lastMarket()).theme);
  useEffect(() => {
    document.title = `${w.title} · benih`;
    document.documentElement.lang = langOf(w);
  }, [w]);
  const go = useCallback((to: string) => {
    history.pushState(null, "", to);
    setPath(to);
  }, []);
  // A key that was sent and refused: unknown (401) or not an admin's (403).
  const onAuth = useCallback(
    (e: AdminError) =>
      setAuth((a) => ({
        asked: true,
        refused: a.asked || ((e.status === 401 || e.status === 403) && !!localStorage.getItem("benih.adminKey")),
      })),
    [],
  );

  const run = /^\/admin\/runs\/([\w-]+)/.exec(path)?.[1];
  const compared = (new URLSearchParams(location.search).get("runs") ?? "")
    .split(",")
    .filter((id) => /^[\w-]+$/.test(id))
    .slice(0, 8); // each run is polled: a handful side by side
  const on = (page: string) => path.startsWith(`/admin/${page}`);
  // A market's own pages, which its admins reach by signing in as well as with a key.
  const market = on("people") || on("usage") || on("audit");
  const tab = (to: string, label: string, active: boolean) => (
    <a
      href={to}
      className={active ? "active" : ""}
      aria-current={active ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        go(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <div className="admin">
      <header className="bar admin-bar">
        <div className="brand">
          <span className="mark" aria-hidden="true" />
          <h1>{w.title}</h1>
        </div>
        <nav>
          {tab("/admin", w.runs, !on("fleet") && !on("setup") && !on("feedback") && !market)}
          {tab("/admin/fleet", w.fleet, on("fleet"))}
          {tab("/admin/setup", w.setup, on("setup"))}
          {tab("/admin/feedback", w.feedback, on("feedback"))}
          {tab("/admin/people", w.people, on("people"))}
          {tab("/admin/usage", w.usage, on("usage"))}
          {tab("/admin/audit", w.audit, on("audit"))}
          <a href="/">{w.chat}</a>
        </nav>
      </header>
      <main>
        {auth.asked ? (
          <form
            className="key"
            onSubmit={(e) => {
              e.preventDefault();
              setAdminKey(key.trim());
              setAuth({ asked: false });
            }}
          >
            <p>
              {auth.refused ? w.wrongKey : market ? w.peopleKeyNeeded : on("feedback") ? w.feedbackKeyNeeded : w.keyNeeded}
              {market && (
                <>
                  {" "}
                  <a href="/" data-testid="admin-sign-in">
                    {w.signIn}
                  </a>
                </>
              )}
            </p>
            <input
              type="password"
              value={key}
              onChange={(e) => setKey(e.target.value)}
              placeholder={w.key}
              autoComplete="off"
              data-testid="admin-key"
            />
            <button type="submit" disabled={!key.trim()}>
              {w.useKey}
            </button>
            {auth.refused && (
              <button type="button" className="ghost" onClick={() => forgetAdminKey()} aria-label={w.forgetKey} title={w.forgetKey}>
                ×
              </button>
            )}
          </form>
        ) : run ? (
          <RunPage key={run} id={run} w={w} onAuth={onAuth} />
        ) : on("compare") ? (
          <ComparePage ids={compared} w={w} go={go} onAuth={onAuth} />
        ) : on("setup") ? (
          <SetupPage w={w} onAuth={onAuth} />
        ) : on("feedback") ? (
          <FeedbackPage w={w} onAuth={onAuth} />
        ) : on("people") ? (
          <PeoplePage w={w} onAuth={onAuth} />
        ) : on("usage") ? (
          <UsagePage w={w} onAuth={onAuth} />
        ) : on("audit") ? (
          <AuditPage w={w} onAuth={onAuth} />
        ) : on("fleet") ? (
          <FleetPage w={w} onAuth={onAuth} />
        ) : (
          <RunsPage w={w} go={go} onAuth={onAuth} />
        )}
      </main>
    </div>
  );
}
