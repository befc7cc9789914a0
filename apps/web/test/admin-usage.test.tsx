import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { UsageRow } from "@benih/contracts";
import { words } from "../src/admin/text.ts";
import { UsagePage } from "../src/admin/UsagePage.tsx";
import { summarize } from "../src/admin/usageSummary.ts";
import { fakeServer, json } from "./admin-server.ts";

const w = words();
const NOW = Date.UTC(2025, 2, 10, 15);
const row = (day: string, model: string, person: string | null, requests: number, tokens: number, costUsd: number): UsageRow => ({
  day,
  model,
  person,
  requests,
  promptTokens: tokens - Math.floor(tokens / 4),
  completionTokens: Math.floor(tokens / 4),
  costUsd,
});
const rows: UsageRow[] = [
  row("2025-03-10", "deepseek-chat", "ana@example.id", 10, 4000, 0.5),
  row("2025-03-08", "deepseek-chat", "budi@example.id", 3, 90_000, 0.5),
  row("2025-03-08", "qwen-max", "budi@example.id", 2, 1000, 0.25),
  row("2025-03-04", "local-llama", null, 40, 200_000, 0),
];

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  localStorage.clear();
});

describe("the usage summary", () => {
  it("adds up the period, ranks people by cost then tokens, and keeps days without use as zeros", () => {
    const s = summarize(rows, 7, NOW);
    expect(s.total).toEqual({ requests: 55, promptTokens: 295000 - 73750, completionTokens: 73750, costUsd: 1.25 });
    expect(s.people.map((p) => [p.person, p.costUsd])).toEqual([
      ["budi@example.id", 0.75],
      ["ana@example.id", 0.5],
      [null, 0],
    ]);
    // Equal costs: the one that used more tokens first.
    expect(s.models.map((m) => m.model)).toEqual(["deepseek-chat", "qwen-max", "local-llama"]);
    expect(s.days.map((d) => d.day)).toEqual([
      "2025-03-04",
      "2025-03-05",
      "2025-03-06",
      "2025-03-07",
      "2025-03-08",
      "2025-03-09",
      "2025-03-10",
    ]);
    expect(s.days.map((d) => d.requests)).toEqual([40, 0, 0, 0, 5, 0, 10]);
  });

  it("keeps a row the server dated outside the period rather than lose it", () => {
    const s = summarize([row("2025-03-11", "m", null, 1, 10, 0)], 7, NOW);
    expect(s.days.at(-1)).toMatchObject({ day: "2025-03-11", requests: 1 });
    expect(s.days).toHaveLength(8);
  });
});

describe("the usage page", () => {
  it("shows the totals, the top people and models, a bar per day and the days with use", async () => {
    vi.setSystemTime(NOW);
    const s = fakeServer({ "GET /v1/admin/usage": () => json(200, { data: rows }) });
    vi.stubGlobal("fetch", s.fetch);
    render(<UsagePage w={w} onAuth={() => {}} />);
    const table = await screen.findByTestId("usage-table");
    expect(s.to("GET", "/v1/admin/usage")[0]!.url.search).toBe("?days=30");
    expect(within(screen.getByTestId("usage-totals")).getByText("$1.25")).toBeTruthy();
    expect(screen.getAllByTestId("usage-person").map((r) => r.firstElementChild!.textContent)).toEqual([
      "budi@example.id",
      "ana@example.id",
      w.noPerson,
    ]);
    expect(screen.getAllByTestId("usage-model")[0]!.textContent).toContain("deepseek-chat");
    expect(
      within(table)
        .getAllByTestId("usage-day")
        .map((r) => r.firstElementChild!.textContent),
    ).toEqual(["2025-03-10", "2025-03-08", "2025-03-04"]);
    const chart = screen.getByTestId("usage-chart");
    expect(chart.getAttribute("data-days")).toBe("30");
    // Tokens by default: the busiest day is the full height.
    expect(chart.querySelector('rect[data-day="2025-03-04"]')!.getAttribute("height")).toBe("100");
    fireEvent.click(screen.getAllByTestId("usage-metric").find((b) => b.dataset.metric === "cost")!);
    expect(chart.querySelector('rect[data-day="2025-03-04"]')!.getAttribute("height")).toBe("0");
    expect(chart.querySelector('rect[data-day="2025-03-08"] title')!.textContent).toBe("2025-03-08: $0.75");
  });

  it("asks for the period chosen, and shows nothing of the last one meanwhile", async () => {
    let answer: (r: Response) => void = () => {};
    const s = fakeServer({
      "GET /v1/admin/usage": (req) =>
        req.url.searchParams.get("days") === "7" ? new Promise<Response>((r) => (answer = r)) : json(200, { data: rows }),
    });
    vi.stubGlobal("fetch", s.fetch);
    render(<UsagePage w={w} onAuth={() => {}} />);
    await screen.findByTestId("usage-table");
    fireEvent.click(screen.getAllByTestId("usage-days").find((b) => b.dataset.days === "7")!);
    await waitFor(() => expect(s.to("GET", "/v1/admin/usage").at(-1)!.url.search).toBe("?days=7"));
    expect(screen.queryByTestId("usage-table")).toBeNull();
    expect((screen.getByTestId("usage-csv") as HTMLAnchorElement).getAttribute("href")).toBe("/v1/admin/usage?days=7&format=csv");
    answer(json(200, { data: [] }));
    expect((await screen.findByTestId("usage-empty")).textContent).toBe(w.noUsage);
  });

  it("downloads the CSV by a plain link with the session, and fetched with the key when one was pasted", async () => {
    const s = fakeServer({
      "GET /v1/admin/usage": (req) =>
        req.url.searchParams.get("format") === "csv"
          ? new Response("day,model\r\n", { headers: { "content-type": "text/csv" } })
          : json(200, { data: rows }),
    });
    vi.stubGlobal("fetch", s.fetch);
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    // jsdom has no blob URLs; a browser's stands for the bytes fetched.
    const blobUrl = vi.fn((_: Blob) => "blob:usage");
    vi.stubGlobal(
      "URL",
      class extends URL {
        static override createObjectURL = blobUrl;
        static override revokeObjectURL = () => {};
      },
    );
    render(<UsagePage w={w} onAuth={() => {}} />);
    const link = (await screen.findByTestId("usage-csv")) as HTMLAnchorElement;
    // Whether the page left the click to the browser; then held back, as jsdom cannot follow a link.
    const leftToBrowser: boolean[] = [];
    const hold = (e: Event) => {
      leftToBrowser.push(!e.defaultPrevented);
      e.preventDefault();
    };
    document.addEventListener("click", hold);
    fireEvent.click(link);
    expect(s.to("GET", "/v1/admin/usage").filter((r) => r.url.searchParams.has("format"))).toHaveLength(0);

    localStorage.setItem("benih.adminKey", "sk-admin-1");
    fireEvent.click(link);
    document.removeEventListener("click", hold);
    expect(leftToBrowser).toEqual([true, false]);
    await waitFor(() => expect(click).toHaveBeenCalled());
    const csv = s.to("GET", "/v1/admin/usage").find((r) => r.url.searchParams.get("format") === "csv")!;
    expect(csv.headers.authorization).toBe("Bearer sk-admin-1");
    expect(blobUrl).toHaveBeenCalled();
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe("market-usage-30d.csv");
  });

  it("hands a refusal to the page's sign-in prompt", async () => {
    const s = fakeServer({ "GET /v1/admin/usage": () => json(401, { error: { message: "sign in", code: "sign_in_required" } }) });
    vi.stubGlobal("fetch", s.fetch);
    const onAuth = vi.fn();
    render(<UsagePage w={w} onAuth={onAuth} />);
    await waitFor(() => expect(onAuth).toHaveBeenCalledWith(expect.objectContaining({ status: 401, code: "sign_in_required" })));
  });
});
