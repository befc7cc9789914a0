import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PersonView } from "@benih/contracts";
import { PeoplePage } from "../src/admin/PeoplePage.tsx";
import { words } from "../src/admin/text.ts";
import { setCsrfToken } from "../src/api/http.ts";
import { fakeServer, json, type Sent } from "./admin-server.ts";

const w = words();
const me = {
  id: "u-admin",
  email: "ana@example.id",
  name: "Ana",
  market: "id",
  role: "admin",
  owner: false,
  createdAt: 1,
  csrfToken: "tok-1",
};
const admin: PersonView = {
  id: "u-admin",
  email: "ana@example.id",
  name: "Ana",
  role: "admin",
  createdAt: Date.UTC(2025, 0, 2),
  disabledAt: null,
  quota: null,
};
const budi: PersonView = {
  id: "u-budi",
  email: "budi@example.id",
  name: "Budi",
  role: "member",
  createdAt: Date.UTC(2025, 1, 3),
  disabledAt: null,
  quota: { requestsPerMinute: 20, costPerMonthUsd: 5 },
};

let people: PersonView[];
/** The people store behind the fake: a PATCH changes it as the server would, and the list shows it. */
function server(extra: Record<string, (req: Sent) => Response> = {}) {
  const s = fakeServer({
    "GET /v1/me": () => json(200, me),
    "GET /v1/admin/people": (req) => {
      const q = req.url.searchParams.get("q") ?? "";
      return json(200, { data: people.filter((p) => `${p.email} ${p.name}`.toLowerCase().includes(q.toLowerCase())) });
    },
    "PATCH /v1/admin/people/:id": (req) => {
      const id = req.url.pathname.split("/").at(-1)!;
      const body = req.body as { role?: PersonView["role"]; disabled?: boolean; quota?: PersonView["quota"] };
      people = people.map((p) =>
        p.id !== id
          ? p
          : {
              ...p,
              ...(body.role && { role: body.role }),
              ...(body.disabled !== undefined && { disabledAt: body.disabled ? Date.UTC(2025, 2, 1) : null }),
              ...(body.quota !== undefined && { quota: body.quota }),
            },
      );
      return json(
        200,
        people.find((p) => p.id === id),
      );
    },
    ...extra,
  });
  vi.stubGlobal("fetch", s.fetch);
  return s;
}

const row = async (email: string) =>
  (await screen.findAllByTestId("people-row")).find((r) => r.textContent?.includes(email)) ??
  (() => {
    throw new Error(`no row for ${email}`);
  })();
const patches = (s: ReturnType<typeof server>, id: string) => s.to("PATCH", `/v1/admin/people/${id}`);

beforeEach(() => {
  people = [budi, admin];
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  setCsrfToken(undefined);
});

describe("the people page", () => {
  it("lists the market's people with their role, state and quota, and keeps the admin from locking themself out", async () => {
    server();
    render(<PeoplePage w={w} onAuth={() => {}} />);
    const b = await row("budi@example.id");
    expect(within(b).getByTestId("person-quota").textContent).toBe("20/min · $5.00/month");
    expect(within(b).getByTestId("person-status").textContent).toBe("Active");
    expect((within(b).getByTestId("person-role") as HTMLSelectElement).value).toBe("member");
    const a = await row("ana@example.id");
    await waitFor(() => expect(a.textContent).toContain("(you)"));
    expect(within(a).getByTestId("person-quota").textContent).toBe("Market default");
    expect((within(a).getByTestId("person-disable") as HTMLButtonElement).disabled).toBe(true);
    expect((within(a).getByTestId("person-role") as HTMLSelectElement).disabled).toBe(true);
  });

  it("searches as the admin types, from the first page", async () => {
    const s = server();
    render(<PeoplePage w={w} onAuth={() => {}} />);
    await row("budi@example.id");
    fireEvent.change(screen.getByTestId("people-search"), { target: { value: "  BUDI " } });
    await waitFor(() => expect(screen.getAllByTestId("people-row")).toHaveLength(1));
    const last = s.to("GET", "/v1/admin/people").at(-1)!;
    expect(Object.fromEntries(last.url.searchParams)).toEqual({ q: "BUDI", limit: "50", offset: "0" });
    fireEvent.change(screen.getByTestId("people-search"), { target: { value: "nobody" } });
    expect((await screen.findByTestId("people-empty")).textContent).toBe(w.noMatch);
  });

  it("disables a person only after asking, with the session's CSRF token, and enables them again", async () => {
    const s = server();
    render(<PeoplePage w={w} onAuth={() => {}} />);
    fireEvent.click(within(await row("budi@example.id")).getByTestId("person-disable"));
    const dialog = await screen.findByTestId("person-disable-dialog");
    expect(dialog.textContent).toContain("Disable budi@example.id?");
    fireEvent.click(within(dialog).getByTestId("dialog-cancel"));
    expect(screen.queryByTestId("person-disable-dialog")).toBeNull();
    expect(patches(s, "u-budi")).toHaveLength(0);

    fireEvent.click(within(await row("budi@example.id")).getByTestId("person-disable"));
    fireEvent.click(within(await screen.findByTestId("person-disable-dialog")).getByTestId("dialog-confirm"));
    await waitFor(async () =>
      expect(within(await row("budi@example.id")).getByTestId("person-status").textContent).toMatch(/^Disabled since/),
    );
    const [off] = patches(s, "u-budi");
    expect(off!.body).toEqual({ disabled: true });
    expect(off!.headers["x-csrf-token"]).toBe("tok-1");
    expect(off!.headers.authorization).toBeUndefined();

    const b = await row("budi@example.id");
    expect(within(b).getByTestId("person-disable").textContent).toBe("Enable");
    fireEvent.click(within(b).getByTestId("person-disable"));
    fireEvent.click(within(await screen.findByTestId("person-disable-dialog")).getByTestId("dialog-confirm"));
    await waitFor(() => expect(patches(s, "u-budi")).toHaveLength(2));
    expect(patches(s, "u-budi")[1]!.body).toEqual({ disabled: false });
  });

  it("changes a role at once", async () => {
    const s = server();
    render(<PeoplePage w={w} onAuth={() => {}} />);
    fireEvent.change(within(await row("budi@example.id")).getByTestId("person-role"), { target: { value: "admin" } });
    await waitFor(() => expect(patches(s, "u-budi").map((p) => p.body)).toEqual([{ role: "admin" }]));
    await waitFor(async () =>
      expect((within(await row("budi@example.id")).getByTestId("person-role") as HTMLSelectElement).value).toBe("admin"),
    );
  });

  it("edits a quota: empty fields are the market's, what the server would refuse is not sent, and it goes back to the default", async () => {
    const s = server();
    render(<PeoplePage w={w} onAuth={() => {}} />);
    fireEvent.click(within(await row("budi@example.id")).getByTestId("person-quota-edit"));
    const form = await screen.findByTestId("quota-form");
    expect((within(form).getByTestId("quota-requestsPerMinute") as HTMLInputElement).value).toBe("20");
    expect((within(form).getByTestId("quota-tokensPerDay") as HTMLInputElement).value).toBe("");
    fireEvent.change(within(form).getByTestId("quota-tokensPerDay"), { target: { value: "1.5" } });
    expect((within(form).getByTestId("quota-save") as HTMLButtonElement).disabled).toBe(true);
    expect(within(form).getByRole("alert").textContent).toBe(w.quotaInvalid);
    fireEvent.change(within(form).getByTestId("quota-tokensPerDay"), { target: { value: "100 000" } });
    fireEvent.change(within(form).getByTestId("quota-requestsPerMinute"), { target: { value: "" } });
    fireEvent.change(within(form).getByTestId("quota-audioSecondsPerDay"), { target: { value: "0" } });
    expect((within(form).getByTestId("quota-save") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(form).getByTestId("quota-audioSecondsPerDay"), { target: { value: "3,600" } });
    fireEvent.click(within(form).getByTestId("quota-save"));
    await waitFor(() => expect(screen.queryByTestId("quota-form")).toBeNull());
    expect(patches(s, "u-budi")[0]!.body).toEqual({ quota: { tokensPerDay: 100000, costPerMonthUsd: 5, audioSecondsPerDay: 3600 } });
    await waitFor(async () =>
      expect(within(await row("budi@example.id")).getByTestId("person-quota").textContent).toBe(
        "100,000 tokens/day · $5.00/month · 3,600 s audio/day",
      ),
    );

    fireEvent.click(within(await row("budi@example.id")).getByTestId("person-quota-edit"));
    fireEvent.click(await screen.findByTestId("quota-reset"));
    await waitFor(() => expect(patches(s, "u-budi")).toHaveLength(2));
    expect(patches(s, "u-budi")[1]!.body).toEqual({ quota: null });
    await waitFor(async () => expect(within(await row("budi@example.id")).getByTestId("person-quota").textContent).toBe("Market default"));
  });

  it("says in the admin's words why the server refused a change to themself", async () => {
    // The page's own guard is off when the session cannot be asked: the server's refusal is what the admin reads.
    server({
      "GET /v1/me": () => json(401, { error: { message: "sign in", code: "sign_in_required" } }),
      "PATCH /v1/admin/people/:id": () =>
        json(400, {
          error: {
            message: "You cannot disable yourself or take your own admin role.",
            type: "invalid_request_error",
            code: "cannot_change_self",
          },
        }),
    });
    render(<PeoplePage w={w} onAuth={() => {}} />);
    fireEvent.change(within(await row("ana@example.id")).getByTestId("person-role"), { target: { value: "member" } });
    expect((await screen.findByRole("alert")).textContent).toBe(w.cannotChangeSelf);
  });

  it("sends a pasted admin key instead of the session, and asks no session for it", async () => {
    localStorage.setItem("benih.adminKey", "sk-admin-1");
    const s = server();
    render(<PeoplePage w={w} onAuth={() => {}} />);
    fireEvent.change(within(await row("budi@example.id")).getByTestId("person-role"), { target: { value: "admin" } });
    await waitFor(() => expect(patches(s, "u-budi")).toHaveLength(1));
    expect(s.sent.every((r) => r.headers.authorization === "Bearer sk-admin-1")).toBe(true);
    expect(s.to("GET", "/v1/me")).toHaveLength(0);
  });

  it("asks for a key or a sign-in when the server says this is not an admin", async () => {
    server({ "GET /v1/admin/people": () => json(403, { error: { message: "needs an admin of this market", code: "admin_only" } }) });
    const onAuth = vi.fn();
    render(<PeoplePage w={w} onAuth={onAuth} />);
    await waitFor(() => expect(onAuth).toHaveBeenCalledWith(expect.objectContaining({ status: 403 })));
  });
});

describe("inviting someone", () => {
  it("makes a link for an address, says whether it was mailed, and offers it to copy", async () => {
    const s = server({
      "POST /v1/admin/invitations": (req) =>
        json(201, {
          id: "inv1",
          email: (req.body as { email?: string }).email ?? null,
          role: (req.body as { role: string }).role,
          expiresAt: Date.UTC(2025, 2, 8),
          url: "https://chat.example.id/?invitation=secret-token",
          mailed: !!(req.body as { email?: string }).email,
        }),
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    render(<PeoplePage w={w} onAuth={() => {}} />);
    await row("budi@example.id");
    fireEvent.change(screen.getByTestId("invite-email"), { target: { value: " citra@example.id " } });
    fireEvent.change(screen.getByTestId("invite-role"), { target: { value: "admin" } });
    fireEvent.click(screen.getByTestId("invite-submit"));
    const url = (await screen.findByTestId("invite-url")) as HTMLInputElement;
    expect(url.value).toBe("https://chat.example.id/?invitation=secret-token");
    const [sent] = s.to("POST", "/v1/admin/invitations");
    expect(sent!.body).toEqual({ email: "citra@example.id", role: "admin" });
    expect(sent!.headers["x-csrf-token"]).toBe("tok-1");
    expect(screen.getByTestId("invite-mailed").textContent).toContain("Sent to citra@example.id.");
    fireEvent.click(screen.getByTestId("invite-copy"));
    expect(writeText).toHaveBeenCalledWith("https://chat.example.id/?invitation=secret-token");
    expect(await screen.findByText(w.copied)).toBeTruthy();

    fireEvent.click(screen.getByTestId("invite-submit"));
    await waitFor(() => expect(s.to("POST", "/v1/admin/invitations")).toHaveLength(2));
    expect(s.to("POST", "/v1/admin/invitations")[1]!.body).toEqual({ role: "admin" });
    await waitFor(() => expect(screen.getByTestId("invite-mailed").textContent).toContain(w.inviteNotMailed));
  });
});
