import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MessageList } from "../src/MessageList.tsx";
import type { Turn } from "../src/Thread.tsx";

afterEach(cleanup);

const question: Turn = {
  id: "q1",
  parent_id: null,
  role: "user",
  content: "Hello **world**",
  status: "done",
  siblings: ["q1"],
  error: null,
};
const answer = (content: string, status: Turn["status"], error: string | null = null): Turn => ({
  id: "a1",
  parent_id: "q1",
  role: "assistant",
  content,
  status,
  siblings: ["a1"],
  error,
  meta: {},
});

function show(turns: Turn[], more: Partial<Parameters<typeof MessageList>[0]> = {}) {
  const actions = { onSwitch: vi.fn(), onEdit: vi.fn(), onRegenerate: vi.fn(), onChangeImage: vi.fn(), onStarter: vi.fn() };
  const props = { turns, locale: "en" as const, busy: false, error: undefined, models: 1, starters: [], ...actions, ...more };
  const view = render(<MessageList {...props} />);
  return { ...actions, rerender: (next: Partial<typeof props>) => view.rerender(<MessageList {...props} {...next} />) };
}

describe("MessageList", () => {
  it("shows an answer as it streams, then as Markdown with its tools", () => {
    const { rerender, onRegenerate } = show([question, answer("(1) Hello", "streaming")], { busy: true });
    const streaming = screen.getByTestId("assistant-turn");
    expect(streaming.dataset.state).toBe("streaming");
    expect(streaming.textContent).toBe("(1) Hello");
    expect(screen.queryByTestId("regenerate")).toBeNull();
    expect(screen.getByTestId("user-turn").textContent).toContain("Hello **world**");

    rerender({ turns: [question, answer("(1) Hello **world**", "done")], busy: false });
    const done = screen.getByTestId("assistant-turn");
    expect(done.dataset.state).toBe("done");
    expect(done.querySelector("strong")?.textContent).toBe("world");
    fireEvent.click(screen.getByTestId("regenerate"));
    expect(onRegenerate).toHaveBeenCalledWith(expect.objectContaining({ id: "a1" }));
  });

  it("says that an answer failed, and why", () => {
    show([question, answer("", "failed", "upstream returned 500")]);
    const failed = screen.getByTestId("assistant-turn");
    expect(failed.dataset.state).toBe("failed");
    expect(failed.textContent).toContain("The answer failed: upstream returned 500");
  });

  it("shows the error above the thread, and no-model notice only once the server has said", () => {
    const { rerender } = show([], { models: null });
    expect(screen.queryByText(/No models are available/)).toBeNull();
    rerender({ models: 0 });
    expect(screen.getByText(/No models are available/)).toBeTruthy();
    rerender({ models: 0, error: "the server is not reachable" });
    expect(screen.getByTestId("error").textContent).toBe("the server is not reachable");
    expect(screen.queryByText(/No models are available/)).toBeNull();
  });

  it("offers the agent's starters in an empty conversation", () => {
    const { onStarter } = show([], { starters: ["Ahoy", "Arr"] });
    fireEvent.click(screen.getAllByTestId("starter")[1]!);
    expect(onStarter).toHaveBeenCalledWith("Arr");
  });
});
