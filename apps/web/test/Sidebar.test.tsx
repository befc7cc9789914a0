import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Conversation } from "../src/api/types.ts";
import { Sidebar } from "../src/Sidebar.tsx";
import { fakeFetch } from "./sse-body.ts";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const conversation = (id: string, title: string, match?: string): Conversation => ({
  id,
  title,
  model: "echo",
  agent: null,
  owner: null,
  created_at: 0,
  updated_at: 0,
  leaf: null,
  ...(match && { match }),
});
const list = [conversation("c1", "Trip notes"), conversation("c2", "")];

function setup(busy = false) {
  const handlers = { onOpen: vi.fn(), onNew: vi.fn(), onRename: vi.fn(), onDelete: vi.fn() };
  render(<Sidebar locale="en" list={list} current="c1" busy={busy} {...handlers} />);
  return handlers;
}

describe("Sidebar", () => {
  it("lists the conversations, untitled ones by a placeholder, and opens one", () => {
    const { onOpen } = setup();
    expect(screen.getAllByTestId("conversation-item").map((b) => b.textContent)).toEqual(["Trip notes", "New conversation"]);
    fireEvent.click(screen.getAllByTestId("conversation-item")[1]!);
    expect(onOpen).toHaveBeenCalledWith("c2");
  });

  it("searches the server as the user types, shows where each hit matched, and goes back to the list when cleared", async () => {
    const hits = { data: [conversation("c9", "Komodo", "…dragons hunt deer…")] };
    const { fetch, requests } = fakeFetch(() => Response.json(hits));
    vi.stubGlobal("fetch", fetch);
    setup();
    fireEvent.change(screen.getByTestId("search"), { target: { value: "dragons " } });
    await waitFor(() =>
      expect(screen.getAllByTestId("conversation-item").map((b) => b.textContent)).toEqual(["Komodo…dragons hunt deer…"]),
    );
    expect(requests.map((r) => r.url)).toEqual(["/v1/conversations/search?q=dragons"]);
    fireEvent.change(screen.getByTestId("search"), { target: { value: "" } });
    expect(screen.getAllByTestId("conversation-item")).toHaveLength(2);
  });

  it("says when a search finds nothing, naming the search, and when there are no conversations at all", async () => {
    vi.stubGlobal("fetch", fakeFetch(() => Response.json({ data: [] })).fetch);
    setup();
    fireEvent.change(screen.getByTestId("search"), { target: { value: "nothing like this" } });
    await screen.findByText("No conversations match “nothing like this”");
    cleanup();
    render(
      <Sidebar
        locale="id"
        list={[]}
        current={undefined}
        busy={false}
        onOpen={vi.fn()}
        onNew={vi.fn()}
        onRename={vi.fn()}
        onDelete={vi.fn()}
      />,
    );
    expect(screen.getByTestId("no-conversations").textContent).toBe("Belum ada obrolan.");
  });

  it("renames any conversation, not only the open one, in a dialog: the old title to start, Enter saves", () => {
    const { onRename, onOpen } = setup();
    const rows = screen.getAllByTestId("conversation-row");
    fireEvent.click(within(rows[0]!).getByTestId("conversation-menu"));
    expect(within(rows[0]!).getByTestId("rename")).toBe(document.activeElement);
    fireEvent.click(within(rows[0]!).getByTestId("rename"));
    const field = screen.getByTestId<HTMLInputElement>("rename-input");
    expect(field.value).toBe("Trip notes");
    fireEvent.change(field, { target: { value: "  Bali trip  " } });
    fireEvent.submit(field.form!);
    expect(onRename).toHaveBeenCalledWith("c1", "Bali trip");
    expect(screen.queryByTestId("rename-dialog")).toBeNull();

    fireEvent.click(within(rows[1]!).getByTestId("conversation-menu"));
    fireEvent.click(within(rows[1]!).getByTestId("rename"));
    expect(screen.getByTestId<HTMLInputElement>("rename-input").value).toBe("");
    expect(screen.getByTestId<HTMLButtonElement>("rename-save").disabled).toBe(true);
    fireEvent.change(screen.getByTestId("rename-input"), { target: { value: "Untitled no more" } });
    fireEvent.submit(screen.getByTestId<HTMLInputElement>("rename-input").form!);
    expect(onRename).toHaveBeenLastCalledWith("c2", "Untitled no more");
    expect(onOpen).not.toHaveBeenCalled();
  });

  it("cancels a rename with Escape (the dialog's cancel) and changes nothing", () => {
    const { onRename } = setup();
    fireEvent.click(screen.getAllByTestId("conversation-menu")[0]!);
    fireEvent.click(screen.getByTestId("rename"));
    fireEvent(screen.getByTestId("rename-dialog"), new Event("cancel"));
    expect(screen.queryByTestId("rename-dialog")).toBeNull();
    expect(onRename).not.toHaveBeenCalled();
  });

  it("deletes a conversation only once the dialog is confirmed; Cancel keeps it", () => {
    const { onDelete } = setup();
    const menu = () => screen.getAllByTestId("conversation-menu")[1]!;
    fireEvent.click(menu());
    fireEvent.click(screen.getByTestId("delete"));
    expect(screen.getByTestId("delete-dialog").textContent).toContain("“New conversation” and all its messages will be deleted.");
    fireEvent.click(screen.getByTestId("dialog-cancel"));
    expect(onDelete).not.toHaveBeenCalled();
    fireEvent.click(menu());
    fireEvent.click(screen.getByTestId("delete"));
    fireEvent.click(screen.getByTestId("dialog-confirm"));
    expect(onDelete).toHaveBeenCalledWith("c2");
  });

  it("opens the menu from the keyboard: arrows move between its items, Escape closes it and goes back to ⋯", () => {
    setup();
    const more = screen.getAllByTestId("conversation-menu")[0]!;
    expect(more.getAttribute("aria-label")).toBe("More actions for “Trip notes”");
    fireEvent.click(more); // Enter and Space on a button click it
    fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(screen.getByTestId("delete"));
    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it("disables opening, starting and changing conversations while an answer streams", () => {
    setup(true);
    expect(screen.getByTestId<HTMLButtonElement>("new-chat").disabled).toBe(true);
    expect(screen.getAllByTestId<HTMLButtonElement>("conversation-item").every((b) => b.disabled)).toBe(true);
    expect(screen.getAllByTestId<HTMLButtonElement>("conversation-menu").every((b) => b.disabled)).toBe(true);
  });

  it("never falls back on the browser's prompt or confirm", () => {
    const prompt = vi.fn();
    const confirm = vi.fn();
    vi.stubGlobal("prompt", prompt);
    vi.stubGlobal("confirm", confirm);
    setup();
    fireEvent.click(screen.getAllByTestId("conversation-menu")[0]!);
    fireEvent.click(screen.getByTestId("delete"));
    fireEvent.click(screen.getByTestId("dialog-confirm"));
    expect([prompt.mock.calls.length, confirm.mock.calls.length]).toEqual([0, 0]);
  });
});
