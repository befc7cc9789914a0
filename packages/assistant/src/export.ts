import type { Conversation, Message } from "@benih/store";

/** The headings of an exported conversation, in each language it is exported in. */
const HEADINGS = {
  en: {
    conversation: "Conversation",
    you: "You",
    assistant: "Assistant",
    stopped: "stopped",
    interrupted: "interrupted",
    failed: "failed",
  },
  zh: { conversation: "对话", you: "你", assistant: "助手", stopped: "已停止", interrupted: "已中断", failed: "失败" },
  id: { conversation: "Percakapan", you: "Anda", assistant: "Asisten", stopped: "dihentikan", interrupted: "terputus", failed: "gagal" },
} as const;
export type ExportLocale = keyof typeof HEADINGS;
export const isExportLocale = (l: unknown): l is ExportLocale => typeof l === "string" && Object.hasOwn(HEADINGS, l);

/** A conversation's shown branch as Markdown: a title, then each turn under its speaker, headed in `locale`. */
export function toMarkdown(c: Conversation, messages: readonly Message[], locale: ExportLocale = "en"): string {
  const h = HEADINGS[locale];
  const lines = [`# ${c.title || h.conversation}`, "", `_${new Date(c.created_at).toISOString().slice(0, 10)} · ${c.model}_`, ""];
  for (const m of messages) {
    const who = m.role === "user" ? h.you : `${h.assistant}${m.model ? ` (${m.model})` : ""}`;
    const note =
      m.status === "stopped"
        ? ` _(${h.stopped})_`
        : m.status === "interrupted"
          ? ` _(${h.interrupted})_`
          : m.status === "failed"
            ? ` _(${h.failed}: ${m.error ?? "error"})_`
            : "";
    lines.push(`## ${who}${note}`, "", m.content, "");
  }
  return lines.join("\n");
}
