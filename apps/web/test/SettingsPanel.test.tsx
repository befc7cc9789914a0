import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Settings } from "../src/api/types.ts";
import { SettingsPanel } from "../src/SettingsPanel.tsx";

afterEach(cleanup);

// As a server sends it: English prose hints beside the structured fields the page should use instead.
const settings = {
  market: null,
  models: ["qwen2.5-0.5b"],
  providers: [
    { name: "deepseek", configured: false, env: "DEEPSEEK_API_KEY", set: "DEEPSEEK_API_KEY in the server's environment" },
    { name: "local", configured: true, region: "local" },
    { name: "openai", configured: true, region: "global" },
    { name: "mine", configured: false, set: "a providers entry in benih.yaml" },
  ],
  skills: {
    chat: { configured: true },
    search: { configured: true, note: "your documents and benih's own docs, offline" },
    web: { configured: false, set: "web search is not configured: set assistant.webSearch in benih.yaml" },
    video: { configured: true, slideshow: true, note: "no video model: a captioned slideshow made with ffmpeg" },
  },
  uploads: { maxMb: 20, types: [".pdf"] },
} satisfies Settings;

describe("SettingsPanel", () => {
  it("speaks the user's language, with no server path, no English hint and no .env", () => {
    render(<SettingsPanel settings={settings} locale="zh" onClose={() => {}} />);
    const text = screen.getByTestId("settings").textContent!;
    expect(text).toContain("deepseek 未配置启用方法: 在服务器的环境变量中设置 DEEPSEEK_API_KEY");
    expect(text).toContain("local ✓ 已配置本机");
    expect(text).toContain("联网搜索 未配置启用方法: 在 benih.yaml 中设置 assistant.webSearch");
    expect(text).toContain("在 benih.yaml 中添加 providers 条目");
    expect(text).not.toMatch(/\/srv|\.env|environment|configured|offline|slideshow made/);
  });

  it("says the same in English", () => {
    render(<SettingsPanel settings={settings} locale="en" onClose={() => {}} />);
    expect(screen.getByTestId("providers").querySelector('li[data-configured="false"]')!.textContent).toBe(
      "deepseek not configuredto enable: DEEPSEEK_API_KEY in the server's environment",
    );
    expect(screen.getByTestId("skills").textContent).toContain(
      "Video ✓ configuredA slideshow of the prompt (no video model is configured)",
    );
  });
});
