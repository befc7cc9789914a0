import type { Citation } from "@benih/contracts";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/http.ts";
import type { Locale } from "../src/i18n.ts";
import { MessageList } from "../src/MessageList.tsx";
import type { Turn } from "../src/Thread.tsx";
import { failureOf, failureOfError } from "../src/thread/errors.ts";
import { fakeFetch } from "./sse-body.ts";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const question: Turn = { id: "q1", parent_id: null, role: "user", content: "Where?", status: "done", siblings: ["q1"], error: null };
const doc: Citation = {
  n: 1,
  documentId: "doc-1",
  title: "orangutan.pdf",
  source: "orangutan.pdf",
  page: 2,
  excerpt: "Orangutans live in the rainforests of Borneo and Sumatra.",
};
const web: Citation = {
  n: 2,
  documentId: "https://example.org/apes",
  title: "Great apes",
  source: "https://example.org/apes",
  page: null,
  excerpt: "Apes.",
};
const answer = (more: Partial<Turn> = {}): Turn => ({
  id: "a1",
  parent_id: "q1",
  conversation_id: "c1",
  created_at: Date.UTC(2025, 4, 6, 9, 30),
  feedback: null,
  role: "assistant",
  content: "They live in Borneo [1] and elsewhere [2].",
  status: "done",
  siblings: ["a1"],
  error: null,
  meta: { citations: [doc, web] },
  ...more,
});

function show(turns: Turn[], locale: Locale = "en") {
  const onProblem = vi.fn();
  const props = {
    turns,
    locale,
    busy: false,
    error: undefined,
    models: 1,
    starters: [],
    onSwitch: vi.fn(),
    onEdit: vi.fn(),
    onRegenerate: vi.fn(),
    onChangeImage: vi.fn(),
    onStarter: vi.fn(),
    onProblem,
  };
  render(<MessageList {...props} />);
  return { onProblem, props };
}
const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("citations", () => {
  it("opens a cited document's excerpt, name and page from [1], then the document with the passage highlighted", async () => {
    const { fetch, requests } = fakeFetch(
      json({
        document: {
          id: "doc-1",
          owner: null,
          created_at: 1,
          title: "orangutan.pdf",
          source: "orangutan.pdf",
          mime: "application/pdf",
          bytes: 9,
          chunks: 2,
          pages: 2,
        },
        passages: [
          { seq: 0, page: 1, text: "Cover page" },
          { seq: 1, page: 2, text: "Orangutans live in the rainforests of Borneo and Sumatra." },
        ],
      }),
    );
    vi.stubGlobal("fetch", fetch);
    show([question, answer()]);
    const mark = await screen.findByRole("button", { name: "[1]" });
    fireEvent.click(mark);
    const panel = screen.getByTestId("source-panel");
    expect(panel.querySelector("h2")?.textContent).toBe("[1] orangutan.pdf · p. 2");
    expect(within(panel).getByTestId("source-excerpt").textContent).toBe(doc.excerpt);
    fireEvent.click(within(panel).getByTestId("source-open"));
    const cited = await within(panel).findByTestId("cited-passage");
    expect(cited.textContent).toContain("Orangutans live in the rainforests");
    expect(cited.getAttribute("aria-current")).toBe("true");
    expect(requests[0]!.url).toBe("/v1/knowledge/documents/doc-1/passages");

    // Escape (the dialog's cancel) closes it.
    act(() => void panel.dispatchEvent(new Event("cancel")));
    expect(screen.queryByTestId("source-panel")).toBeNull();
  });

  it("offers a web source's own link, in a new tab without a referrer, from the source list too", async () => {
    show([question, answer()]);
    fireEvent.click(screen.getAllByTestId("source")[1]!);
    const link = within(screen.getByTestId("source-panel")).getByTestId("source-open") as HTMLAnchorElement;
    expect(link.href).toBe("https://example.org/apes");
    expect(link.target).toBe("_blank");
    expect(link.rel).toBe("noreferrer");
  });
});

describe("an answer's tools", () => {
  it("copies the answer's Markdown and says so", async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    show([question, answer()]);
    fireEvent.click(screen.getByRole("button", { name: "Copy the answer" }));
    expect(writeText).toHaveBeenCalledWith("They live in Borneo [1] and elsewhere [2].");
    expect((await screen.findByTestId("copied")).textContent).toBe("Copied");
  });

  it("rates an answer up, then takes it back, through the feedback API; shows a saved rating", async () => {
    const saved = (feedback: string | null) => json({ ...answer(), feedback });
    const { fetch, requests } = fakeFetch(saved("up"), saved(null));
    vi.stubGlobal("fetch", fetch);
    show([question, answer({ feedback: null }), { ...answer({ id: "a2", feedback: "down" }), parent_id: "q1" }]);
    const [up] = screen.getAllByTestId("rate-up");
    expect(screen.getAllByTestId("rate-down")[1]!.getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(up!);
    await waitFor(() => expect(up!.getAttribute("aria-pressed")).toBe("true"));
    expect(requests[0]!.url).toBe("/v1/conversations/c1/messages/a1/feedback");
    expect(requests[0]!.init.method).toBe("PUT");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({ rating: "up" });
    fireEvent.click(up!);
    await waitFor(() => expect(up!.getAttribute("aria-pressed")).toBe("false"));
    expect(JSON.parse(requests[1]!.init.body as string)).toEqual({ rating: null });
  });

  it("names versions and the time in the reader's language", () => {
    show([question, answer({ siblings: ["a0", "a1"] })], "zh");
    expect(screen.getByTestId("branch-prev").getAttribute("aria-label")).toBe("上一个版本");
    expect(screen.getByTestId("branch-next").getAttribute("aria-label")).toBe("下一个版本");
    const time = screen.getByTestId("timestamp");
    expect(time.getAttribute("datetime")).toBe("2025-05-06T09:30:00.000Z");
    expect(time.getAttribute("title")).toMatch(/2025年5月6日/);
    expect(screen.getByRole("article", { name: "助手" })).toBeTruthy();
    expect(screen.getByTestId("thread").getAttribute("aria-label")).toBe("消息");
  });
});

describe("failures and notices", () => {
  it("maps error codes and words to what a person can do", () => {
    expect(failureOf("context_length_exceeded", "x")).toBe("errContextLength");
    expect(failureOf(undefined, "This model's maximum context length is 128 tokens")).toBe("errContextLength");
    expect(failureOf("model_not_found", null)).toBe("errNoModel");
    expect(failureOf("no_target_available", null)).toBe("errNoModel");
    expect(failureOf(undefined, "upstream returned 429 Too Many Requests")).toBe("errRateLimited");
    expect(failureOf("skill_not_configured", null)).toBe("errSkillNotConfigured");
    expect(failureOf("request_too_large", null)).toBe("errTooLarge");
    expect(failureOf(undefined, "TypeError: Failed to fetch")).toBe("errNetwork");
    expect(failureOf(undefined, "the model said no")).toBe("errUnknown");
    expect(failureOfError(new ApiError("slow down", 429))).toBe("errRateLimited");
    expect(failureOfError(new ApiError("conversation not found", 404, "not_found"))).toBe("errRequest");
  });

  it("says a failed answer once, in the bubble, in the UI language", () => {
    show(
      [question, answer({ status: "failed", content: "", error: "prompt too long", meta: { errorCode: "context_length_exceeded" } })],
      "id",
    );
    const failure = screen.getByTestId("answer-error");
    expect(failure.querySelector("p")?.textContent).toBe(
      "Percakapan ini terlalu panjang untuk model ini. Mulai obrolan baru, atau pilih model dengan konteks lebih besar.",
    );
    expect(screen.getAllByText(/terlalu panjang/)).toHaveLength(1);
    expect(screen.queryByTestId("error")).toBeNull();
    expect(screen.queryByTestId("rate-up")).toBeNull();
  });

  it("leads extracted passages in with why, and explains a skill that needs a larger model instead of the server's words", () => {
    show(
      [
        question,
        answer({ content: "> Orangutans live in Borneo. [1]", meta: { citations: [doc], notice: { code: "extracted", skill: "search" } } }),
        answer({
          id: "a3",
          content: "The search skill needs a model with more context.",
          meta: { notice: { code: "needs_larger_model", skill: "search", contextLength: 128, needed: 1024 } },
        }),
      ],
      "zh",
    );
    const [extracted, larger] = screen.getAllByTestId("notice");
    expect(extracted!.textContent).toBe("模型太小，无法根据文档作答；以下是最相关的段落：");
    expect(larger!.textContent).toContain("“搜索知识库”需要更大的模型：当前模型一次只能读 128 个 token，这个技能至少需要 1024 个。");
    expect(larger!.textContent).toContain("OPENAI_API_KEY");
    expect(screen.queryByText(/needs a model with more context/)).toBeNull();
  });

  it("marks a stopped answer in the UI language", () => {
    show([question, answer({ status: "stopped", content: "Jak", meta: {} })], "zh");
    expect(screen.getByTestId("ended").textContent).toBe("[已停止]");
  });

  it("announces an answer once it has finished streaming, not while it streams", () => {
    const { props } = show([question, answer({ status: "streaming", content: "Jak", meta: {} })]);
    const live = screen.getByTestId("announcer");
    expect(live.getAttribute("aria-live")).toBe("polite");
    expect(live.textContent).toBe("");
    cleanup();
    const view = render(<MessageList {...props} turns={[question, answer({ status: "streaming", content: "Jak", meta: {} })]} />);
    view.rerender(<MessageList {...props} turns={[question, answer({ status: "streaming", content: "Jakarta", meta: {} })]} />);
    expect(screen.getByTestId("announcer").textContent).toBe("");
    view.rerender(<MessageList {...props} turns={[question, answer({ status: "done", content: "Jakarta.", meta: {} })]} />);
    expect(screen.getByTestId("announcer").textContent).toBe("The answer is ready: Jakarta.");
  });

  it("sends an edited question with Enter, and not with Shift+Enter or while composing", () => {
    const { props } = show([question, answer()]);
    fireEvent.click(screen.getByTestId("edit"));
    const box = screen.getByTestId("edit-input");
    fireEvent.change(box, { target: { value: "Where exactly?" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    fireEvent.keyDown(box, { key: "Enter", isComposing: true });
    expect(props.onEdit).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: "Enter" });
    expect(props.onEdit).toHaveBeenCalledWith(expect.objectContaining({ id: "q1" }), "Where exactly?");
  });
});
