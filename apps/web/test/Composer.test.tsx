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
  skills: Object.fromEntries(["chat", "search", "web", "image", "video"].map((s) => [s, { configured: configured[s] ?? true }])),
  uploads: { maxMb: 20, types: [".md"] },
});

function setup(props: Partial<Parameters<typeof Composer>[0]> = {}) {
  const onSend = vi.fn();
  const onStop = vi.fn();
  const ref = createRef<ComposerHandle>();
  render(
    <Composer ref={ref} locale="en" model="echo" settings={settings({})} streaming={false} onSend={onSend} onStop={onStop} {...props} />,
  );
  const type = (text: string) => fireEvent.change(screen.getByTestId("input"), { target: { value: text } });
  const enter = () => fireEvent.keyDown(screen.getByTestId("input"), { key: "Enter" });
  return { onSend, onStop, ref, type, enter };
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

  it("offers a skill the server has not set up disabled, saying in the user's language what to set", () => {
    setup({ locale: "zh", settings: settings({ web: false }) });
    const web = screen.getByTestId<HTMLButtonElement>("skill-web");
    expect(web.disabled).toBe(true);
    expect(web.title).toBe("启用方法: 在 benih.yaml 中设置 assistant.webSearch");
    expect(screen.getByTestId<HTMLButtonElement>("skill-image").disabled).toBe(false);
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
});
