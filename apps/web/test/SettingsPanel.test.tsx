import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AgentView } from "@benih/contracts";
import { SettingsPanel } from "../src/SettingsPanel.tsx";

afterEach(cleanup);

const agents: AgentView[] = [
  {
    id: "benih",
    builtIn: true,
    name: { en: "Assistant", zh: "助手", id: "Asisten" },
    instructions: "",
    model: null,
    skills: [],
    starters: [],
    toolUse: false,
  },
  {
    id: "translator",
    builtIn: true,
    name: { en: "Translator", zh: "翻译", id: "Penerjemah" },
    instructions: "",
    model: null,
    skills: ["translate"],
    starters: [],
    toolUse: false,
  },
];

const panel = (locale: "zh" | "en" | "id", onChange = vi.fn()) =>
  render(
    <SettingsPanel
      locale={locale}
      locales={["zh", "en", "id"]}
      prefs={{ theme: "system" }}
      agents={agents}
      models={["benih-tiny-cn", "deepseek-chat"]}
      agent="benih"
      model="benih-tiny-cn"
      onChange={onChange}
      onClose={() => {}}
    />,
  );

describe("SettingsPanel", () => {
  it("holds the person's choices, in their language, with nothing of the server's setup", () => {
    panel("zh");
    const text = screen.getByTestId("settings").textContent!;
    for (const label of ["语言", "外观", "跟随设备", "新对话使用的智能体", "新对话使用的模型", "服务器配置（管理员）"])
      expect(text).toContain(label);
    expect(text).not.toMatch(/yaml|API_KEY|environment|configured|assistant\.|\/srv|provider/i);
    const languages = [...screen.getByTestId("settings-locale").querySelectorAll("option")].map((o) => o.textContent);
    expect(languages).toEqual(["中文", "English", "Bahasa Indonesia"]);
    expect(screen.getByTestId("admin-link").getAttribute("href")).toBe("/admin/setup");
  });

  it("reports each change as a preference: language, theme, default agent and model", () => {
    const onChange = vi.fn();
    panel("id", onChange);
    fireEvent.change(screen.getByTestId("settings-locale"), { target: { value: "en" } });
    fireEvent.click(screen.getByLabelText("Gelap"));
    fireEvent.change(screen.getByTestId("settings-agent"), { target: { value: "translator" } });
    fireEvent.change(screen.getByTestId("settings-model"), { target: { value: "deepseek-chat" } });
    expect(onChange.mock.calls.map((c) => c[0])).toEqual([
      { locale: "en" },
      { theme: "dark" },
      { agent: "translator" },
      { model: "deepseek-chat" },
    ]);
    expect(screen.getByTestId("settings-agent").querySelector("option:checked")?.textContent).toBe("Asisten");
  });
});
