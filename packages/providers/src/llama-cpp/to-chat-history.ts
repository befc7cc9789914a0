import type { Message } from "@benih/spec";
import type { ChatHistoryItem } from "node-llama-cpp";

/**
 * The spec's messages as node-llama-cpp chat history, ending with an empty model turn to be completed. Tool
 * traffic from earlier turns (answered by another model) becomes plain text, so a conversation can move here.
 */
export function toChatHistory(prompt: Message[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const m of prompt) {
    switch (m.role) {
      case "system":
        history.push({ type: "system", text: m.content });
        break;
      case "user":
        history.push({ type: "user", text: m.content.map((p) => (p.type === "text" ? p.text : "")).join("") });
        break;
      case "assistant": {
        const text = m.content.map((p) => (p.type === "text" ? p.text : `[called ${p.toolName}(${p.input})]`)).join("");
        history.push({ type: "model", response: [text] });
        break;
      }
      case "tool":
        history.push({ type: "user", text: m.content.map((r) => `[tool result ${r.toolCallId}] ${r.output}`).join("\n") });
        break;
    }
  }
  history.push({ type: "model", response: [] });
  return history;
}
