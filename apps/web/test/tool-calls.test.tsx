import type { ToolCallView } from "@benih/contracts";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ToolCalls } from "../src/thread/ToolCalls.tsx";
import { withToolCall } from "../src/thread/toolCalls.ts";
import { fakeFetch } from "./sse-body.ts";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const waiting: ToolCallView = {
  id: "call-1",
  server: "files",
  tool: "delete_file",
  arguments: { path: "a.txt" },
  status: "awaiting_confirmation",
};

describe("an answer's MCP tool calls", () => {
  it("keeps one entry per call as its events come, in the order they began", () => {
    const started = withToolCall({ citations: [] }, { ...waiting, status: "running" });
    const second = withToolCall(started, { ...waiting, id: "call-2", tool: "weather" });
    const ended = withToolCall(second, { ...waiting, status: "done", result: "deleted a.txt" });
    expect(ended.citations).toEqual([]);
    expect(ended.toolCalls?.map((c) => [c.id, c.status])).toEqual([
      ["call-1", "done"],
      ["call-2", "awaiting_confirmation"],
    ]);
  });

  it("asks before a call that waits, sends the person's answer once, and says when it could not", async () => {
    const { fetch, requests } = fakeFetch(
      () => new Response(JSON.stringify({ error: { message: "Tool call call-1 is not waiting" } }), { status: 409 }),
      () => new Response(JSON.stringify({ id: "call-1", approve: false }), { status: 202 }),
    );
    vi.stubGlobal("fetch", fetch);
    const onProblem = vi.fn();
    render(<ToolCalls calls={[waiting]} conversation="c1" answer="a1" locale="id" onProblem={onProblem} />);
    const ask = screen.getByTestId("tool-confirm");
    expect(ask.textContent).toContain("Izinkan delete_file (files) berjalan dengan argumen ini?");
    expect(ask.textContent).toContain('"path": "a.txt"');
    fireEvent.click(within(ask).getByTestId("tool-approve"));
    expect(within(ask).getByTestId("tool-approve")).toHaveProperty("disabled", true);
    await waitFor(() => expect(onProblem).toHaveBeenCalledOnce());
    expect((onProblem.mock.calls[0]![0] as Error).message).toBe("Tool call call-1 is not waiting");
    expect(within(ask).getByTestId("tool-decline")).toHaveProperty("disabled", false);
    fireEvent.click(within(ask).getByTestId("tool-decline"));
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests.map((r) => [r.url, r.init.method, r.init.body])).toEqual([
      ["/v1/conversations/c1/messages/a1/tool-calls/call-1", "POST", '{"approve":true}'],
      ["/v1/conversations/c1/messages/a1/tool-calls/call-1", "POST", '{"approve":false}'],
    ]);
  });

  it("shows a finished call closed, with its arguments, result and error inside", () => {
    render(
      <ToolCalls
        calls={[{ ...waiting, status: "error", result: "partial", error: "files did not answer" }]}
        conversation="c1"
        answer="a1"
        locale="en"
        onProblem={() => {}}
      />,
    );
    expect(screen.queryByTestId("tool-confirm")).toBeNull();
    const call = screen.getByTestId("tool-call");
    expect(call.dataset.status).toBe("error");
    expect(call.querySelector("summary")?.textContent).toBe("files/delete_file failed");
    expect(call.querySelector("details")?.open).toBe(false);
    expect(screen.getByTestId("tool-result").textContent).toBe("partial");
    expect(screen.getByTestId("tool-error").textContent).toBe("files did not answer");
  });
});
