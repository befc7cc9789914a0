import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
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

  it("says when a search finds nothing", async () => {
    vi.stubGlobal("fetch", fakeFetch(() => Response.json({ data: [] })).fetch);
    setup();
    fireEvent.change(screen.getByTestId("search"), { target: { value: "nothing like this" } });
    await screen.findByText("No conversations yet.");
  });

  it("disables opening and starting conversations while an answer streams", () => {
    setup(true);
    expect(screen.getByTestId<HTMLButtonElement>("new-chat").disabled).toBe(true);
    expect(screen.getAllByTestId<HTMLButtonElement>("conversation-item").every((b) => b.disabled)).toBe(true);
    expect(screen.queryByTestId("rename")).toBeNull();
  });
});
