import type { Conversation, Message } from "@benih/store";

/** A conversation's shown branch as Markdown: a title, then each turn under its speaker. */
export function toMarkdown(c: Conversation, messages: readonly Message[]): string {
  const lines = [`# ${c.title || "Conversation"}`, "", `_${new Date(c.created_at).toISOString().slice(0, 10)} · ${c.model}_`, ""];
  for (const m of messages) {
    const who = m.role === "user" ? "You" : `Assistant${m.model ? ` (${m.model})` : ""}`;
    const note =
      m.status === "stopped"
        ? " _(stopped)_"
        : m.status === "interrupted"
          ? " _(interrupted)_"
          : m.status === "failed"
            ? ` _(failed: ${m.error ?? "error"})_`
            : "";
    lines.push(`## ${who}${note}`, "", m.content, "");
  }
  return lines.join("\n");
}
