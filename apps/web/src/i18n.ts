// UI text in the languages benih's markets use. The market says which of them it offers and which comes first.
export type Locale = "zh" | "en" | "id";

const text = {
  en: {
    placeholder: "Message",
    send: "Send",
    stop: "Stop",
    model: "Model",
    language: "Language",
    theme: "Theme",
    light: "Light",
    dark: "Dark",
    newChat: "New chat",
    empty: "Ask anything: capitals, currencies, languages, simple sums.",
    noModels: "No models are available in this market. Set a provider it allows (see `benih markets list`).",
    failed: "The answer failed",
    stopped: "stopped",
    you: "You",
  },
  zh: {
    placeholder: "输入消息",
    send: "发送",
    stop: "停止",
    model: "模型",
    language: "语言",
    theme: "主题",
    light: "浅色",
    dark: "深色",
    newChat: "新对话",
    empty: "问点什么吧：首都、货币、语言、简单的算术。",
    noModels: "这个市场没有可用的模型。请配置它允许的服务商（见 `benih markets list`）。",
    failed: "回答失败",
    stopped: "已停止",
    you: "你",
  },
  id: {
    placeholder: "Pesan",
    send: "Kirim",
    stop: "Berhenti",
    model: "Model",
    language: "Bahasa",
    theme: "Tema",
    light: "Terang",
    dark: "Gelap",
    newChat: "Obrolan baru",
    empty: "Tanyakan apa saja: ibu kota, mata uang, bahasa, hitungan sederhana.",
    noModels: "Tidak ada model di pasar ini. Atur penyedia yang diizinkannya (lihat `benih markets list`).",
    failed: "Jawaban gagal",
    stopped: "dihentikan",
    you: "Anda",
  },
} satisfies Record<Locale, Record<string, string>>;

export type TextKey = keyof (typeof text)["en"];
export const isLocale = (l: string): l is Locale => l in text;
export const t = (locale: Locale, key: TextKey): string => text[locale][key];
/** Names of the languages in themselves, for the switcher. */
export const localeNames: Record<Locale, string> = { zh: "中文", en: "English", id: "Bahasa Indonesia" };
