import type { MessageMeta, ToolCallView } from "@benih/contracts";

/** The answer's meta with `call` in its toolCalls: replacing the one with its id, else added last. */
export function withToolCall(meta: MessageMeta | undefined, call: ToolCallView): MessageMeta {
  const calls = meta?.toolCalls ?? [];
  const at = calls.findIndex((c) => c.id === call.id);
  return { ...meta, toolCalls: at < 0 ? [...calls, call] : calls.map((c, i) => (i === at ? call : c)) };
}

/** Arguments as shown: indented JSON. */
export const shownArguments = (args: Record<string, unknown>) => JSON.stringify(args, null, 2);
