import type { Locale } from "./i18n.ts";

// The settings panel's own text: it loads with the panel, not with every page.
const text = {
  en: {
    providers: "Providers",
    configured: "configured",
    notConfigured: "not configured",
    skillChat: "Chat",
    setupEnv: "{env} in the server's environment",
    setupProvider: "a providers entry in benih.yaml",
    regionLocal: "on this server",
    regionGlobal: "global",
    regionCn: "mainland China",
  },
  zh: {
    providers: "服务商",
    configured: "已配置",
    notConfigured: "未配置",
    skillChat: "对话",
    setupEnv: "在服务器的环境变量中设置 {env}",
    setupProvider: "在 benih.yaml 中添加 providers 条目",
    regionLocal: "本机",
    regionGlobal: "海外",
    regionCn: "中国大陆",
  },
  id: {
    providers: "Penyedia",
    configured: "terkonfigurasi",
    notConfigured: "belum dikonfigurasi",
    skillChat: "Obrolan",
    setupEnv: "{env} di lingkungan server",
    setupProvider: "entri providers di benih.yaml",
    regionLocal: "di server ini",
    regionGlobal: "global",
    regionCn: "Tiongkok daratan",
  },
} satisfies Record<Locale, Record<string, string>>;

export type SettingsTextKey = keyof (typeof text)["en"];
export const st = (locale: Locale, key: SettingsTextKey): string => text[locale][key];
