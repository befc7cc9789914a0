import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../src/api/types.ts";
import { Composer } from "../src/composer/Composer.tsx";
import { namedPaste } from "../src/composer/fileCheck.ts";
import { Thread } from "../src/Thread.tsx";

/** Every upload the page started (with its content type), answered with this status and body. */
let sent: Array<{ url: string; type?: string; body: unknown }>;
let answer: { status: number; body: unknown };
class FakeXhr {
  status = 0;
  responseText = "";
  upload = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private url = "";
  private type: string | undefined;
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    if (name === "content-type") this.type = value;
  }
  send(body: unknown) {
    sent.push({ url: this.url, type: this.type, body });
    this.status = answer.status;
    this.responseText = JSON.stringify(answer.body);
    queueMicrotask(() => this.onload?.());
  }
}

beforeEach(() => {
  sent = [];
  answer = { status: 201, body: { id: "doc_1" } };
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  // jsdom has no object URLs: a thumbnail is shown from one made of the file itself.
  URL.createObjectURL = (b: Blob) => `blob:${(b as File).name}`;
  URL.revokeObjectURL = () => {};
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const settings = (maxMb: number, imageMaxMb = maxMb): Settings => ({
  market: null,
  models: ["echo"],
  providers: [],
  skills: {},
  uploads: { maxMb, types: [".pdf", ".docx", ".md", ".html", ".txt"], imageMaxMb },
});
/** A file that says it is this large, without the bytes. */
const sized = (name: string, mb: number, type = "application/pdf") =>
  Object.defineProperty(new File(["%PDF-"], name, { type }), "size", { value: mb * 1024 * 1024 });

function setup(locale: "en" | "zh" | "id" = "en", maxMb = 25, imageMaxMb = maxMb) {
  const onSend = vi.fn();
  render(
    <Composer
      locale={locale}
      model="echo"
      settings={settings(maxMb, imageMaxMb)}
      streaming={false}
      onSend={onSend}
      onStop={() => {}}
      onCall={() => {}}
    />,
  );
  const drop = (...files: File[]) => {
    const dataTransfer = { types: ["Files"], files, dropEffect: "none" };
    fireEvent.dragEnter(screen.getByTestId("dock"), { dataTransfer });
    expect(screen.getByTestId("drop-zone")).toBeTruthy();
    fireEvent.drop(screen.getByTestId("dock"), { dataTransfer });
  };
  return { onSend, drop };
}
const errors = () => screen.getAllByTestId("upload-error").map((e) => e.textContent);

describe("attaching files to a message", () => {
  it("refuses a file over the server's limit in the browser, naming the limit, and never sends it", async () => {
    const { drop, onSend } = setup("en", 25);
    drop(sized("report.pdf", 30));
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    expect(errors()).toEqual(["report.pdf is 30 MB; the limit is 25 MB"]);
    fireEvent.change(screen.getByTestId("input"), { target: { value: "Summarise it" } });
    fireEvent.keyDown(screen.getByTestId("input"), { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith({ content: "Summarise it" });
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
  });

  it("says so in the user's language, and refuses types the server does not read before sending them", async () => {
    const { drop } = setup("zh", 10);
    drop(sized("报告.pdf", 12.5), sized("table.xlsx", 1, "application/vnd.ms-excel"));
    expect(errors()).toEqual(["报告.pdf 有 12.5 MB，上限是 10 MB", "无法添加 table.xlsx：本服务器只能读取 .pdf .docx .md .html .txt 文件"]);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
  });

  it("uploads a file within the limits, and the next message takes it", async () => {
    const { drop, onSend } = setup();
    drop(new File(["# Notes"], "notes.markdown", { type: "text/markdown" }));
    await screen.findByText("✓ attached");
    expect(sent.map((s) => s.url)).toEqual(["/v1/knowledge/documents?name=notes.markdown"]);
    fireEvent.change(screen.getByTestId("input"), { target: { value: "What do my notes say?" } });
    fireEvent.keyDown(screen.getByTestId("input"), { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith({ content: "What do my notes say?", attachments: ["doc_1"] });
  });

  it("shows a server refusal in the user's language with the server's message as detail", async () => {
    answer = { status: 422, body: { error: { message: "scan.pdf is a damaged PDF: bad xref", code: "unreadable_file" } } };
    const { drop } = setup("id");
    drop(new File(["%PDF-1.4"], "scan.pdf", { type: "application/pdf" }));
    await waitFor(() => expect(errors()).toEqual(["scan.pdf tidak bisa dibacascan.pdf is a damaged PDF: bad xref"]));
    expect(screen.getByTestId("upload-error").querySelector(".detail")?.textContent).toBe("scan.pdf is a damaged PDF: bad xref");
  });

  it("attaches a screenshot pasted alone as an image, named by its time, with a thumbnail; the next message carries it", async () => {
    const view = { id: "img-1", url: "/v1/images/img-1", model: "upload", size: "2x2", seed: null };
    answer = { status: 201, body: view };
    const { onSend } = setup();
    const paste = (files: File[], types: string[]) =>
      fireEvent.paste(screen.getByTestId("input"), { clipboardData: { files, types: [...types, "Files"] } });
    paste([new File(["\x89PNG"], "image.png", { type: "image/png" })], []);
    const thumb = (await screen.findByTestId("upload-thumbnail")) as HTMLImageElement;
    expect(thumb.src).toMatch(/^blob:screenshot-\d{8}-\d{6}\.png$/);
    expect(thumb.alt).toMatch(/^Attached image screenshot-\d{8}-\d{6}\.png$/);
    await waitFor(() => expect(screen.getByTestId("upload").dataset.state).toBe("attached"));
    expect(sent.map((s) => [s.url, s.type])).toEqual([["/v1/images/uploads", "image/png"]]);
    // Text copied with a picture of itself (a spreadsheet's cells) is pasted as text.
    paste([new File(["x"], "image.png", { type: "image/png" })], ["text/plain"]);
    expect(screen.getAllByTestId("upload")).toHaveLength(1);
    fireEvent.change(screen.getByTestId("input"), { target: { value: "What is on my screen?" } });
    fireEvent.keyDown(screen.getByTestId("input"), { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith({ content: "What is on my screen?", images: ["img-1"] });
    expect(screen.queryByTestId("upload")).toBeNull();
  });

  it("refuses images the server does not take, and more than a message carries, before sending them", async () => {
    answer = { status: 201, body: { id: "img-1", url: "/v1/images/img-1", model: "upload", size: "1x1", seed: null } };
    // Documents may be larger than the image one message carries to a model: images have their own limit.
    const { drop } = setup("id", 25, 1);
    drop(new File(["<svg/>"], "logo.svg", { type: "image/svg+xml" }), sized("photo.jpg", 2, "image/jpeg"));
    expect(errors()).toEqual([
      "logo.svg tidak bisa dilampirkan: gambar harus berformat PNG, JPEG, WebP, atau GIF",
      "photo.jpg berukuran 2 MB; batasnya 1 MB",
    ]);
    drop(...["a", "b", "c", "d", "e"].map((n) => new File(["x"], `${n}.png`, { type: "image/png" })));
    await waitFor(() => expect(screen.getAllByTestId("upload-thumbnail")).toHaveLength(4));
    expect(errors().at(-1)).toBe("e.png tidak dilampirkan: satu pesan hanya bisa membawa paling banyak 4 gambar");
    expect(sent).toHaveLength(4);
  });

  it("names a pasted screenshot by the time it was pasted, keeping names files already have", () => {
    const at = new Date("2025-03-04T05:06:07Z");
    expect(namedPaste(new File(["x"], "image.png", { type: "image/png" }), at).name).toBe("screenshot-20250304-050607.png");
    expect(namedPaste(new File(["x"], "", { type: "image/jpeg" }), at).name).toBe("screenshot-20250304-050607.jpg");
    expect(namedPaste(new File(["x"], "cat.png", { type: "image/png" }), at).name).toBe("cat.png");
  });
});

describe("a sent message with images", () => {
  it("shows its images in the question, and the answer says in the reader's language when the model cannot see them", async () => {
    const image = { id: "img-1", url: "/v1/images/img-1", model: "upload", size: "2x2", seed: null };
    const turns = [
      {
        id: "q",
        parent_id: null,
        role: "user" as const,
        content: "What is this?",
        siblings: ["q"],
        error: null,
        status: "done" as const,
        meta: { images: [image] },
      },
      {
        id: "a",
        parent_id: "q",
        role: "assistant" as const,
        content: "benih-tiny-global cannot see images.",
        siblings: ["a"],
        error: null,
        status: "done" as const,
        meta: { notice: { code: "needs_larger_model" as const, skill: "vision" } },
      },
    ];
    const none = () => {};
    render(
      <Thread
        turns={turns}
        locale="zh"
        busy={false}
        onSwitch={none}
        onEdit={none}
        onRegenerate={none}
        onChangeImage={none}
        onProblem={none}
      />,
    );
    const shown = (await screen.findByTestId("attached-image")) as HTMLImageElement;
    expect([shown.getAttribute("src"), shown.alt]).toEqual(["/v1/images/img-1", "附带的图片 1"]);
    expect(screen.getByTestId("notice").textContent).toContain("当前模型看不了图片");
    expect(screen.queryByText("benih-tiny-global cannot see images.")).toBeNull();
  });
});
