import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdminAuditView } from "@benih/contracts";
import { AdminError, api } from "../src/admin/api.ts";
import { AUDIT_PAGE, AuditPage, compactDetail } from "../src/admin/AuditPage.tsx";
import { words } from "../src/admin/text.ts";
import { setApiKey, setCsrfToken } from "../src/api/http.ts";
import { fakeServer, json } from "./admin-server.ts";

const w = words();
const me = (csrfToken: string) => ({
  id: "u1",
  email: "ana@example.id",
  name: "Ana",
  market: "id",
  role: "admin",
  owner: false,
  createdAt: 1,
  csrfToken,
});
const entry = (at: number, action = "person.update"): AdminAuditView => ({
  at,
  actor: "ana@example.id (u1)",
  action,
  target: `u-${at}`,
  detail: { email: "budi@example.id", disabled: true },
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  setCsrfToken(undefined);
});

describe("the audit log", () => {
  it("lists what admins did, each detail on one line, and pages back from the oldest shown", async () => {
    const first = Array.from({ length: AUDIT_PAGE }, (_, i) => entry(2_000_000 - i));
    const s = fakeServer({
      "GET /v1/admin/audit": (req) => json(200, { data: req.url.searchParams.has("before") ? [entry(1_000, "invitation.create")] : first }),
    });
    vi.stubGlobal("fetch", s.fetch);
    render(<AuditPage w={w} onAuth={() => {}} />);
    const rows = await screen.findAllByTestId("audit-row");
    expect(rows).toHaveLength(AUDIT_PAGE);
    expect(rows[0]!.textContent).toContain('email: "budi@example.id", disabled: true');
    expect(rows[0]!.textContent).toContain("person.update");
    expect(rows[0]!.textContent).toContain("ana@example.id (u1)");
    expect(s.to("GET", "/v1/admin/audit")[0]!.url.search).toBe("?limit=100");
    fireEvent.click(screen.getByTestId("audit-older"));
    await waitFor(() => expect(screen.getAllByTestId("audit-row")).toHaveLength(AUDIT_PAGE + 1));
    expect(Object.fromEntries(s.to("GET", "/v1/admin/audit")[1]!.url.searchParams)).toEqual({
      limit: "100",
      before: String(first.at(-1)!.at),
    });
    // A short page is the last one.
    expect(screen.queryByTestId("audit-older")).toBeNull();
  });

  it("says when nothing was done yet", async () => {
    vi.stubGlobal("fetch", fakeServer({ "GET /v1/admin/audit": () => json(200, { data: [] }) }).fetch);
    render(<AuditPage w={w} onAuth={() => {}} />);
    expect((await screen.findByTestId("audit-empty")).textContent).toBe(w.noAudit);
  });

  it("writes a detail's values as JSON, so that text and numbers read apart", () => {
    expect(compactDetail({ quota: { requestsPerMinute: 5 }, role: "admin", email: null })).toBe(
      'quota: {"requestsPerMinute":5}, role: "admin", email: null',
    );
  });
});

describe("the admin pages' requests", () => {
  it("ask the session's CSRF token before the first change, and once more when the server says it changed", async () => {
    let token = "tok-old";
    const s = fakeServer({
      "GET /v1/me": () => json(200, me(token)),
      "PATCH /v1/admin/people/:id": (req) =>
        req.headers["x-csrf-token"] === "tok-new"
          ? json(200, { id: "u2" })
          : json(403, { error: { message: "needs x-csrf-token", type: "permission_error", code: "csrf_token" } }),
    });
    vi.stubGlobal("fetch", s.fetch);
    const done = api.updatePerson("u2", { role: "admin" });
    // The session was signed in again elsewhere: the token the page asked for first is already stale.
    token = "tok-new";
    await done;
    expect(s.sent.map((r) => `${r.method} ${r.url.pathname} ${r.headers["x-csrf-token"] ?? "-"}`)).toEqual([
      "GET /v1/me -",
      "PATCH /v1/admin/people/u2 tok-old",
      "GET /v1/me -",
      "PATCH /v1/admin/people/u2 tok-new",
    ]);
  });

  it("send the person's own API key where no admin key was pasted, and the pasted one over it", async () => {
    const s = fakeServer({ "PATCH /v1/admin/people/:id": () => json(200, { id: "u2" }) });
    vi.stubGlobal("fetch", s.fetch);
    setApiKey("sk-benih-id-person");
    await api.updatePerson("u2", { disabled: true });
    localStorage.setItem("benih.adminKey", "sk-admin-1");
    await api.updatePerson("u2", { disabled: false });
    expect(s.sent.map((r) => `${r.method} ${r.headers.authorization}`)).toEqual([
      "PATCH Bearer sk-benih-id-person",
      "PATCH Bearer sk-admin-1",
    ]);
  });

  it("carry the server's error code", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServer({ "GET /v1/admin/people": () => json(400, { error: { message: "bad limit", code: "invalid_query" } }) }).fetch,
    );
    const e = await api.people("", 50, 0).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AdminError);
    expect(e).toMatchObject({ status: 400, message: "bad limit", code: "invalid_query" });
  });
});
