import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { createRef } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Settings } from "../src/api/types.ts";
import { Composer, type ComposerHandle } from "../src/composer/Composer.tsx";

afterEach(cleanup);

const settings = (configured: Partial<Record<string, boolean>>): Settings => ({
  market: null,
  models: ["echo"],
  providers: [],
  skills: Object.fromEntries(
    ["chat", "search", "web", "image", "video"].map((s) => [
      s,
      { configured: configured[s] ?? true, set: `set assistant.${s} in benih.yaml` },
    ]),
  ),
  uploads: { maxMb: 20, types: [".md"], imageMaxMb: 9 },
});

function setup(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn();
  const onStop = vi.fn();
  const onCall = vi.fn();
  const ref = createRef<ComposerHandle>();
  render(
    <Composer
      ref={ref}
      locale="en"
      model="echo"
      settings={settings({})}
      streaming={false}
      onSend={onSend}
      onStop={onStop}
      onCall={onCall}
      {...props}
    />,
  );
  const type = (text: string) => fireEvent.change(screen.getByTestId("input"), { target: { value: text } });
  const enter = () => fireEvent.keyDown(screen.getByTestId("input"), { key: "Enter" });
  return { onSend, onStop, onCall, ref, type, enter };
}

describe("Composer", () => {
  it("sends the trimmed text on Enter and empties the input; a new line with Shift+Enter sends nothing", () => {
    const { onSend, type, enter } = setup();
    expect(screen.getByTestId<HTMLButtonElement>("send").disabled).toBe(true);
    type("  Apa kabar?  ");
    fireEvent.keyDown(screen.getByTestId("input"), { key: "Enter", shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    enter();
    expect(onSend).toHaveBeenCalledWith({ content: "Apa kabar?" });
    expect(screen.getByTestId<HTMLTextAreaElement>("input").value).toBe("");
  });

  it("does not send on the Enter that picks an input method's candidate (isComposing, or keyCode 229 in Safari)", () => {
    const { onSend, type } = setup();
    type("ni hao");
    const input = screen.getByTestId("input");
    fireEvent.keyDown(input, { key: "Enter", isComposing: true });
    fireEvent.keyDown(input, { key: "Enter", keyCode: 229 });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(input, { key: "Enter", keyCode: 13 });
    expect(onSend).toHaveBeenCalledWith({ content: "ni hao" });
  });

  it("grows with its text up to 40% of the window, then scrolls, and shrinks back once sent", () => {
    // jsdom lays nothing out: the text's height is what the browser would measure, here 40 px a line.
    const lines = (el: HTMLTextAreaElement) => el.value.split("\n").length * 40;
    const spy = vi.spyOn(HTMLTextAreaElement.prototype, "scrollHeight", "get").mockImplementation(function (this: HTMLTextAreaElement) {
      return lines(this);
    });
    vi.stubGlobal("innerHeight", 1000);
    const { type, enter } = setup();
    const input = screen.getByTestId<HTMLTextAreaElement>("input");
    expect(input.style.height).toBe("40px");
    type("one\ntwo\nthree");
    expect([input.style.height, input.style.overflowY]).toEqual(["120px", "hidden"]);
    type("line\n".repeat(20));
    expect([input.style.height, input.style.overflowY]).toEqual(["400px", "auto"]);
    enter();
    expect([input.style.height, input.style.overflowY]).toEqual(["40px", "hidden"]);
    spy.mockRestore();
    vi.unstubAllGlobals();
  });

  it("sends nothing without a model", () => {
    const { onSend, type, enter } = setup({ model: "" });
    type("Halo");
    enter();
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByTestId<HTMLButtonElement>("send").disabled).toBe(true);
  });

  it("turns one skill on at a time and sends its options: translation target and glossary", () => {
    const { onSend, type, enter } = setup();
    fireEvent.click(screen.getByTestId("skill-write"));
    fireEvent.click(screen.getByTestId("skill-translate"));
    expect(screen.getByTestId("skill-write").getAttribute("aria-pressed")).toBe("false");
    expect(screen.getByTestId("skill-translate").getAttribute("aria-pressed")).toBe("true");
    expect(screen.queryByTestId("write-template")).toBeNull();
    fireEvent.change(screen.getByTestId("translate-target"), { target: { value: "Japanese" } });
    fireEvent.change(screen.getByTestId("glossary"), { target: { value: "pagi = 朝\nnot a pair\n = nothing" } });
    type("Selamat pagi");
    enter();
    expect(onSend).toHaveBeenCalledWith({
      content: "Selamat pagi",
      skill: "translate",
      options: { target: "Japanese", glossary: { pagi: "朝" } },
    });
  });

  it("sends an image's size and seed, and the image being changed once", () => {
    const { onSend, ref, type, enter } = setup();
    act(() => ref.current!.changeImage("img_1"));
    expect(screen.getByTestId("skill-image").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("changing").textContent).toContain("img_1");
    fireEvent.change(screen.getByTestId("image-size"), { target: { value: "512x512" } });
    fireEvent.change(screen.getByTestId("image-seed"), { target: { value: "4a2" } });
    expect(screen.getByTestId<HTMLInputElement>("image-seed").value).toBe("42");
    type("at night");
    enter();
    expect(onSend).toHaveBeenLastCalledWith({ content: "at night", skill: "image", options: { size: "512x512", seed: 42, edit: "img_1" } });
    expect(screen.queryByTestId("changing")).toBeNull();
    type("again");
    enter();
    expect(onSend).toHaveBeenLastCalledWith({ content: "again", skill: "image", options: { size: "512x512", seed: 42 } });
  });

  it("greys a skill the server has not set up; a tap says why in the user's language, with what to set", () => {
    const { onSend, type, enter } = setup({ locale: "zh", settings: settings({ web: false }) });
    const web = screen.getByTestId<HTMLButtonElement>("skill-web");
    expect(web.getAttribute("aria-disabled")).toBe("true");
    expect(web.title).toBe("本服务器还没有开通此功能，管理员可以开启。");
    expect(screen.queryByTestId("chip-why")).toBeNull();
    fireEvent.click(web);
    expect(web.getAttribute("aria-pressed")).toBe("false");
    expect(screen.getByTestId("chip-why").textContent).toContain("本服务器尚未开通联网搜索。管理员可以开启它。");
    expect(screen.getByTestId("chip-why").querySelector(".meta")?.textContent).toBe("set assistant.web in benih.yaml");
    type("今天的新闻");
    enter();
    expect(onSend).toHaveBeenCalledWith({ content: "今天的新闻" });
    fireEvent.click(screen.getByText("知道了"));
    expect(screen.queryByTestId("chip-why")).toBeNull();
    expect(screen.getByTestId("skill-image").getAttribute("aria-disabled")).toBeNull();
  });

  it("goes back to no skill (or the agent's) when another conversation is shown, and forgets the image being changed", () => {
    const { onSend, ref, type, enter } = setup();
    fireEvent.click(screen.getByTestId("skill-write"));
    act(() => ref.current!.reset(undefined));
    expect(screen.queryAllByRole("button", { pressed: true })).toHaveLength(0);
    type("Draw a picture of a cat");
    enter();
    expect(onSend).toHaveBeenLastCalledWith({ content: "Draw a picture of a cat" });
    act(() => ref.current!.changeImage("img_1"));
    act(() => ref.current!.reset("translate"));
    expect(screen.getByTestId("skill-translate").getAttribute("aria-pressed")).toBe("true");
    expect(screen.queryByTestId("changing")).toBeNull();
  });

  it("takes a starter prompt and an agent's skill from the page, ignoring a skill it does not know", () => {
    const { ref } = setup();
    act(() => ref.current!.fill("Translate: Selamat pagi"));
    expect(screen.getByTestId<HTMLTextAreaElement>("input").value).toBe("Translate: Selamat pagi");
    act(() => ref.current!.chooseSkill("translate"));
    expect(screen.getByTestId("skill-translate").getAttribute("aria-pressed")).toBe("true");
    act(() => ref.current!.chooseSkill("telepathy"));
    expect(screen.queryAllByRole("button", { pressed: true })).toHaveLength(0);
  });

  it("shows Stop instead of Send while an answer streams", () => {
    const { onStop } = setup({ streaming: true });
    expect(screen.queryByTestId("send")).toBeNull();
    fireEvent.click(screen.getByTestId("stop"));
    expect(onStop).toHaveBeenCalledOnce();
  });

  it("starts a voice call from its button, which waits while an answer streams or without a model", () => {
    const { onCall } = setup();
    fireEvent.click(screen.getByRole("button", { name: "Voice call" }));
    expect(onCall).toHaveBeenCalledOnce();
    cleanup();
    setup({ streaming: true });
    expect((screen.getByTestId("start-call") as HTMLButtonElement).disabled).toBe(true);
    cleanup();
    setup({ model: "" });
    expect((screen.getByTestId("start-call") as HTMLButtonElement).disabled).toBe(true);
  });
});
