import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MemoryView } from "@benih/contracts";
import { MemorySection } from "../src/account/MemorySection.tsx";
import { setCsrfToken } from "../src/api/http.ts";
import { MemoryNote } from "../src/thread/MemoryNote.tsx";
import { fakeFetch } from "./sse-body.ts";

const json = (status: number, body?: unknown) => () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const memory = (id: string, content: string): MemoryView => ({
  id,
  content,
  created_at: 1,
  updated_at: 1,
  source_conversation: null,
  source_message: null,
});
const units = memory("m1", "I prefer metric units");
const tea = memory("m2", "我喜欢喝茶");

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setCsrfToken(undefined);
});

/** The section opened: it asks for the memories only then; `more` answers what the test does next. */
async function opened(list: { data: MemoryView[]; enabled: boolean }, ...more: Array<() => Response>) {
  const { fetch, requests } = fakeFetch(json(200, { ...list, limit: 200 }), ...more);
  vi.stubGlobal("fetch", fetch);
  render(<MemorySection locale="en" />);
  expect(requests).toHaveLength(0);
  fireEvent.click(screen.getByTestId("memory-open"));
  await screen.findByTestId("memory-enabled");
  return requests;
}
const rows = () => screen.queryAllByTestId("memory-row").map((r) => r.textContent);
const sent = (r: { init: RequestInit }) => JSON.parse(String(r.init.body));

describe("the memory section", () => {
  it("lists the memories, adds one and edits one in place, with the session's token", async () => {
    setCsrfToken("tok");
    const added = memory("m3", "I live in Bandung");
    const requests = await opened({ data: [units, tea], enabled: true }, json(201, added), json(200, { ...tea, content: "我喜欢喝绿茶" }));
    expect(rows()).toEqual([expect.stringContaining("I prefer metric units"), expect.stringContaining("我喜欢喝茶")]);
    expect(screen.getByTestId("memory-count").textContent).toBe("2 of 200 memories");

    fireEvent.change(screen.getByTestId("memory-new"), { target: { value: "  I live in Bandung " } });
    fireEvent.click(screen.getByTestId("memory-add"));
    await waitFor(() => expect(rows()[0]).toContain("I live in Bandung"));
    expect([requests[1]!.url, requests[1]!.init.method, sent(requests[1]!)]).toEqual([
      "/v1/memories",
      "POST",
      { content: "I live in Bandung" },
    ]);
    expect((requests[1]!.init.headers as Record<string, string>)["x-csrf-token"]).toBe("tok");
    expect((screen.getByTestId("memory-new") as HTMLInputElement).value).toBe("");

    const teaRow = screen.getAllByTestId("memory-row")[2]!;
    fireEvent.click(within(teaRow).getByTestId("memory-edit"));
    const box = within(teaRow).getByTestId("memory-edit-text") as HTMLTextAreaElement;
    expect(box.value).toBe("我喜欢喝茶");
    fireEvent.change(box, { target: { value: "我喜欢喝绿茶" } });
    fireEvent.click(within(teaRow).getByTestId("memory-save"));
    await waitFor(() => expect(rows()[2]).toContain("我喜欢喝绿茶"));
    expect([requests[2]!.url, requests[2]!.init.method, sent(requests[2]!)]).toEqual([
      "/v1/memories/m2",
      "PATCH",
      { content: "我喜欢喝绿茶" },
    ]);
  });

  it("says why a memory was refused, keeping what was typed", async () => {
    const full = json(409, { error: { message: "You already keep 200 memories, the most there is room for.", code: "memory_limit" } });
    await opened({ data: [units], enabled: true }, full);
    fireEvent.change(screen.getByTestId("memory-new"), { target: { value: "one more" } });
    fireEvent.click(screen.getByTestId("memory-add"));
    expect((await screen.findByRole("alert")).textContent).toContain("200 memories");
    expect(rows()).toHaveLength(1);
    expect((screen.getByTestId("memory-new") as HTMLInputElement).value).toBe("one more");
  });

  it("deletes one, and all of them only after asking", async () => {
    const requests = await opened({ data: [units, tea], enabled: true }, json(204), json(200, { deleted: 1 }));
    fireEvent.click(within(screen.getAllByTestId("memory-row")[0]!).getByTestId("memory-delete"));
    await waitFor(() => expect(rows()).toEqual([expect.stringContaining("我喜欢喝茶")]));
    expect([requests[1]!.url, requests[1]!.init.method]).toEqual(["/v1/memories/m1", "DELETE"]);

    fireEvent.click(screen.getByTestId("memory-delete-all"));
    const dialog = screen.getByTestId("memory-delete-all-dialog");
    fireEvent.click(within(dialog).getByTestId("dialog-cancel"));
    expect(requests).toHaveLength(2);
    expect(rows()).toHaveLength(1);
    fireEvent.click(screen.getByTestId("memory-delete-all"));
    fireEvent.click(within(screen.getByTestId("memory-delete-all-dialog")).getByTestId("dialog-confirm"));
    await screen.findByText("No memories yet.");
    expect([requests[2]!.url, requests[2]!.init.method]).toEqual(["/v1/memories", "DELETE"]);
  });

  it("turns memory off and on, and exports the memories as a JSON file", async () => {
    const file = () =>
      new Response(JSON.stringify({ memories: [units] }), { status: 200, headers: { "content-type": "application/json" } });
    const requests = await opened({ data: [units], enabled: true }, json(200, { enabled: false }), file);
    const toggle = screen.getByTestId("memory-enabled") as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    fireEvent.click(toggle);
    await screen.findByText(/Memory is off/);
    expect(toggle.checked).toBe(false);
    expect([requests[1]!.url, requests[1]!.init.method, sent(requests[1]!)]).toEqual(["/v1/memories/settings", "PUT", { enabled: false }]);

    // The file is handed to the browser as an object URL and a download link's click.
    const made = vi.fn((_: Blob) => "blob:memories");
    const { createObjectURL, revokeObjectURL } = URL;
    Object.assign(URL, { createObjectURL: made, revokeObjectURL: () => {} });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    try {
      fireEvent.click(screen.getByTestId("memory-export"));
      await waitFor(() => expect(click).toHaveBeenCalled());
      expect(requests[2]!.url).toBe("/v1/memories/export");
      expect(JSON.parse(await made.mock.calls[0]![0].text())).toEqual({ memories: [units] });
      expect((click.mock.instances[0] as unknown as HTMLAnchorElement).download).toBe("memories.json");
    } finally {
      click.mockRestore();
      Object.assign(URL, { createObjectURL, revokeObjectURL });
    }
  });
});

describe("the memory note under an answer", () => {
  it("says what was remembered and how many memories were used, listing them when opened", () => {
    render(
      <MemoryNote
        locale="en"
        memory={{
          remembered: { id: "m1", content: "I prefer metric units" },
          used: [
            { id: "m2", content: "我喜欢喝茶" },
            { id: "m3", content: "x" },
          ],
        }}
      />,
    );
    const note = screen.getByTestId("memory-note");
    expect(note.textContent).toContain("Remembered: I prefer metric units");
    const used = screen.getByTestId("memory-used");
    expect(used.querySelector("summary")!.textContent).toBe("Used 2 memories");
    expect([...used.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["我喜欢喝茶", "x"]);
  });

  it("says in the reader's language that memory was off, and nothing when memory played no part", () => {
    const { rerender } = render(<MemoryNote locale="zh" memory={{ off: true }} />);
    expect(screen.getByTestId("memory-note").textContent).toContain("记忆已关闭");
    rerender(<MemoryNote locale="id" memory={{ used: [{ id: "m1", content: "saya vegetarian" }] }} />);
    expect(screen.getByTestId("memory-used").querySelector("summary")!.textContent).toBe("Memakai 1 memori");
    rerender(<MemoryNote locale="en" memory={undefined} />);
    expect(screen.queryByTestId("memory-note")).toBeNull();
  });
});
