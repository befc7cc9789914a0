import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NetworkError } from "../src/api/http.ts";
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
  const actions = {
    onSwitch: vi.fn(),
    onEdit: vi.fn(),
    onRegenerate: vi.fn(),
    onChangeImage: vi.fn(),
    onStarter: vi.fn(),
    onProblem: vi.fn(),
  };
  const props: Parameters<typeof MessageList>[0] = {
    turns,
    locale: "en",
    busy: false,
    error: undefined,
    models: 1,
    starters: [],
    ...actions,
    ...more,
  };
  const view = render(<MessageList {...props} />);
  return { ...actions, rerender: (next: Partial<typeof props>) => view.rerender(<MessageList {...props} {...next} />) };
}

describe("MessageList", () => {
  it("shows an answer as it streams, then as Markdown with its tools", async () => {
    const { rerender, onRegenerate } = show([question, answer("(1) Hello", "streaming")], { busy: true });
    const streaming = screen.getByTestId("assistant-turn");
    expect(streaming.dataset.state).toBe("streaming");
    expect(streaming.textContent).toBe("(1) Hello");
    expect(screen.queryByTestId("regenerate")).toBeNull();
    expect(screen.getByTestId("user-turn").textContent).toContain("Hello **world**");

    rerender({ turns: [question, answer("(1) Hello **world**", "done")], busy: false });
    const done = screen.getByTestId("assistant-turn");
    expect(done.dataset.state).toBe("done");
    await waitFor(() => expect(done.querySelector("strong")?.textContent).toBe("world"));
    fireEvent.click(screen.getByTestId("regenerate"));
    expect(onRegenerate).toHaveBeenCalledWith(expect.objectContaining({ id: "a1" }));
  });

  it("says once, in the bubble, that an answer failed and what to do, with the raw error behind Details", () => {
    show([question, answer("", "failed", "upstream returned 500")]);
    const failed = screen.getByTestId("assistant-turn");
    expect(failed.dataset.state).toBe("failed");
    expect(screen.getByTestId("answer-error").querySelector("p")?.textContent).toBe(
      "Something went wrong while answering. Try again, or choose another model.",
    );
    const detail = screen.getByTestId("answer-error-detail");
    expect(detail.hidden).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Details" }));
    expect(detail.hidden).toBe(false);
    expect(detail.textContent).toBe("upstream returned 500");
    expect(screen.queryByTestId("error")).toBeNull();
  });

  it("shows the error above the thread, and no-model notice only once the server has said", () => {
    const { rerender } = show([], { models: null });
    expect(screen.queryByText(/No models are available/)).toBeNull();
    rerender({ models: 0 });
    expect(screen.getByText(/No models are available/)).toBeTruthy();
    rerender({ models: 0, error: new NetworkError("Failed to fetch") });
    expect(screen.getByTestId("error").querySelector("p")?.textContent).toBe(
      "The server could not be reached. Check your connection, then try again.",
    );
    expect(screen.getByTestId("request-error-detail").textContent).toBe("Failed to fetch");
    expect(screen.queryByText(/No models are available/)).toBeNull();
  });

  it("offers the agent's starters in an empty conversation", () => {
    const { onStarter } = show([], { starters: ["Ahoy", "Arr"] });
    fireEvent.click(screen.getAllByTestId("starter")[1]!);
    expect(onStarter).toHaveBeenCalledWith("Arr");
  });
});
