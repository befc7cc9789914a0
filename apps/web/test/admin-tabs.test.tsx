import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { words } from "../src/admin/text.ts";
import { fakeServer, json } from "./admin-server.ts";

const w = words();
let Admin: typeof import("../src/admin/Admin.tsx").default;

// jsdom has no matchMedia; the chart library asks it as it loads, the theme as the page mounts. Loaded after the stand-in.
beforeAll(async () => {
  const media = { matches: false, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} };
  Object.defineProperty(window, "matchMedia", { configurable: true, value: () => media });
  Admin = (await import("../src/admin/Admin.tsx")).default;
});
afterAll(() => {
  delete (window as { matchMedia?: unknown }).matchMedia;
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  history.replaceState(null, "", "/");
});

describe("the admin area's market pages", () => {
  it("has tabs for people, usage and the audit log, and moves between them without a reload", async () => {
    const s = fakeServer({
      "GET /v1/me": () =>
        json(200, { id: "u1", email: "ana@example.id", name: "Ana", market: "id", role: "admin", owner: false, createdAt: 1 }),
      "GET /v1/admin/people": () => json(200, { data: [] }),
      "GET /v1/admin/usage": () => json(200, { data: [] }),
    });
    vi.stubGlobal("fetch", s.fetch);
    history.replaceState(null, "", "/admin/people");
    render(<Admin />);
    expect(screen.getByRole("link", { name: w.people }).getAttribute("aria-current")).toBe("page");
    expect(screen.getByRole("link", { name: w.runs }).getAttribute("aria-current")).toBeNull();
    expect((await screen.findByTestId("people-empty")).textContent).toBe(w.noPeople);
    fireEvent.click(screen.getByRole("link", { name: w.usage }));
    expect(location.pathname).toBe("/admin/usage");
    expect((await screen.findByTestId("usage-empty")).textContent).toBe(w.noUsage);
    expect(screen.getByRole("link", { name: w.audit }).getAttribute("href")).toBe("/admin/audit");
  });

  it("offers a sign-in as well as an admin key when the server wants an admin of this market", async () => {
    vi.stubGlobal(
      "fetch",
      fakeServer({ "GET /v1/admin/audit": () => json(401, { error: { message: "sign in", code: "sign_in_required" } }) }).fetch,
    );
    history.replaceState(null, "", "/admin/audit");
    render(<Admin />);
    await waitFor(() => expect(screen.getByTestId("admin-key")).toBeTruthy());
    expect(screen.getByText(w.peopleKeyNeeded, { exact: false })).toBeTruthy();
    expect(screen.getByTestId("admin-sign-in").getAttribute("href")).toBe("/");
  });
});
