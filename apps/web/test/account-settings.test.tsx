import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MeView } from "@benih/contracts";
import { SettingsPanel } from "../src/SettingsPanel.tsx";
import { setCsrfToken } from "../src/api/http.ts";
import { fakeFetch } from "./sse-body.ts";

const json = (status: number, body?: unknown) => () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const person: MeView = { id: "u1", email: "wei@example.cn", name: "Wei", market: "cn", role: "member", owner: false, createdAt: 1 };
const key = { id: "k1", name: "laptop", hint: "sk-benih-cn-…x9Qz", createdAt: Date.UTC(2025, 2, 1), lastUsedAt: null };
const usage = [
  { day: "2025-03-01", model: "deepseek-chat", requests: 3, promptTokens: 1000, completionTokens: 200, costUsd: 0.0123 },
  { day: "2025-03-02", model: "deepseek-chat", requests: 1, promptTokens: 100, completionTokens: 20, costUsd: 0.001 },
];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setCsrfToken(undefined);
});

// The sections ask for the keys, then the usage, as they mount; `more` answers what the test does next.
function panel(me: MeView, ...more: Array<() => Response>) {
  const { fetch, requests } = fakeFetch(json(200, { data: [key] }), json(200, { data: usage }), ...more);
  vi.stubGlobal("fetch", fetch);
  const onSignedOut = vi.fn();
  render(
    <SettingsPanel
      locale="en"
      locales={["en"]}
      prefs={{ theme: "system" }}
      agents={[]}
      models={[]}
      agent="benih"
      model=""
      onChange={() => {}}
      onClose={() => {}}
      me={me}
      onSignedOut={onSignedOut}
    />,
  );
  return { requests, onSignedOut };
}

describe("the account in the settings", () => {
  it("says who is signed in and signs out with the session's token", async () => {
    setCsrfToken("tok");
    const { requests, onSignedOut } = panel(person, json(204));
    const account = screen.getByTestId("account");
    expect(account.textContent).toContain("wei@example.cn");
    expect(account.textContent).toContain("Member");
    expect(screen.queryByTestId("admin-link")).toBeNull();
    await screen.findByTestId("usage-table");
    fireEvent.click(screen.getByTestId("sign-out"));
    await waitFor(() => expect(onSignedOut).toHaveBeenCalled());
    expect(requests[2]!.url).toBe("/v1/auth/logout");
    expect((requests[2]!.init.headers as Record<string, string>)["x-csrf-token"]).toBe("tok");
  });

  it("has no sign-out for the machine's owner", async () => {
    panel({ ...person, email: null, name: "owner", role: "admin", owner: true, market: null });
    expect(screen.queryByTestId("sign-out")).toBeNull();
    expect(screen.getByTestId("account").textContent).toContain("no sign-in is needed here");
    await screen.findByTestId("usage-table");
  });

  it("makes a key, shows its secret once, and revokes one after asking", async () => {
    setCsrfToken("tok");
    const made = {
      id: "k2",
      name: "ci",
      hint: "sk-benih-cn-…AbCd",
      createdAt: Date.now(),
      lastUsedAt: null,
      key: "sk-benih-cn-secretAbCd",
    };
    const { requests } = panel(person, json(201, made), json(204));
    expect((await screen.findAllByTestId("key-row")).map((r) => r.textContent)).toEqual([expect.stringContaining("never used")]);
    fireEvent.change(screen.getByTestId("key-name"), { target: { value: " ci " } });
    fireEvent.click(screen.getByTestId("key-create"));
    expect((await screen.findByTestId("key-secret")).textContent).toBe("sk-benih-cn-secretAbCd");
    expect(screen.getByText("Copy this key now: it will not be shown again.")).toBeTruthy();
    expect(JSON.parse(requests[2]!.init.body as string)).toEqual({ name: "ci" });
    const rows = screen.getAllByTestId("key-row");
    expect(rows.map((r) => r.textContent).join()).not.toContain("secretAbCd");
    fireEvent.click(within(rows[0]!).getByTestId("key-revoke"));
    expect(screen.getByText("Revoke “ci”?")).toBeTruthy();
    fireEvent.click(screen.getByTestId("dialog-confirm"));
    await waitFor(() => expect(screen.getAllByTestId("key-row")).toHaveLength(1));
    expect(requests[3]!.url).toBe("/v1/me/keys/k2");
    expect(requests[3]!.init.method).toBe("DELETE");
    expect((requests[3]!.init.headers as Record<string, string>)["x-csrf-token"]).toBe("tok");
    expect(screen.queryByTestId("key-secret")).toBeNull();
  });

  it("adds up the last 30 days' usage per day, with the CSV as a link", async () => {
    panel(person);
    const table = await screen.findByTestId("usage-table");
    const rows = [...table.querySelectorAll("tbody tr")].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ["2025-03-02", "1", "120", "$0.001"],
      ["2025-03-01", "3", "1,200", "$0.0123"],
    ]);
    expect(screen.getByText("$0.0133")).toBeTruthy();
    expect(screen.getByTestId("usage-csv").getAttribute("href")).toBe("/v1/me/usage?days=30&format=csv");
  });
});
