import { afterEach, describe, expect, it } from "vitest";
import { modelExamples, modelIntro, shortModelName } from "../src/modelIntro.ts";
import { preferences } from "../src/preferences.ts";

afterEach(() => localStorage.clear());

const tiny = {
  id: "benih-tiny-global",
  object: "model" as const,
  created: 0,
  owned_by: "local",
  languages: ["en", "id"],
  examples: { en: ["What is the capital of Japan?"], id: ["Apa ibu kota Jepang?"] },
};

describe("preferences", () => {
  it("are kept per market, and the market last used is what /admin goes by", () => {
    preferences.save("cn", { locale: "zh", theme: "dark", agent: "translator" });
    preferences.save("global", { locale: "id", theme: "system", model: "benih-tiny-global" });
    expect(preferences.load("cn")).toEqual({ locale: "zh", theme: "dark", agent: "translator" });
    expect(preferences.load("global")).toEqual({ locale: "id", theme: "system", model: "benih-tiny-global" });
    expect(preferences.lastMarket()).toBe("global");
  });

  it("carry over the language and theme chosen before they existed, and ignore what is not a choice", () => {
    localStorage.setItem("benih.locale.cn", "en");
    localStorage.setItem("benih.theme", "dark");
    expect(preferences.load("cn")).toEqual({ locale: "en", theme: "dark" });
    localStorage.setItem("benih.prefs.global", JSON.stringify({ locale: "fr", theme: "purple", agent: 3 }));
    localStorage.removeItem("benih.theme");
    expect(preferences.load("global")).toEqual({ theme: "system" });
    localStorage.setItem("benih.prefs.global", "not json");
    expect(preferences.load("global")).toEqual({ theme: "system" });
  });
});

describe("the empty chat's introduction", () => {
  it("offers the model's examples in the UI language, else in its first language, and names its languages in the UI language", () => {
    expect(modelExamples(tiny, "id")).toEqual(["Apa ibu kota Jepang?"]);
    expect(modelExamples(tiny, "zh")).toEqual(["What is the capital of Japan?"]);
    expect(modelExamples({ ...tiny, examples: undefined }, "en")).toEqual([]);
    const name = shortModelName(tiny.id, "global");
    expect(name).toBe("benih-tiny");
    expect(modelIntro(tiny, "en", name)).toBe("benih-tiny answers in English and Indonesian. Try one of these:");
    expect(modelIntro(tiny, "zh", name)).toBe("benih-tiny 能用英语和印度尼西亚语回答。试试这些问题：");
    expect(modelIntro(tiny, "id", name)).toBe("benih-tiny menjawab dalam bahasa Inggris dan Indonesia. Coba salah satu ini:");
    expect(modelIntro({ ...tiny, languages: undefined }, "id", "gpt")).toBe("Ada yang bisa saya bantu?");
  });
});
