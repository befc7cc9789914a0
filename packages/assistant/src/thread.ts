import { messageView, type MessageView } from "@benih/contracts";
import type { Message } from "@benih/store";

/** The messages from the first one down to `leaf`: the branch the user sees. */
export function branch(messages: readonly Message[], leaf: string | null): Message[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const path: Message[] = [];
  for (let m = leaf ? byId.get(leaf) : undefined; m; m = m.parent_id ? byId.get(m.parent_id) : undefined) path.push(m);
  return path.reverse();
}

/** The newest leaf below `id` (itself when nothing follows it): where switching to a branch lands. */
export function newestLeafUnder(messages: readonly Message[], id: string): string {
  let current = id;
  for (;;) {
    const children = messages.filter((m) => m.parent_id === current);
    if (!children.length) return current;
    current = children.reduce((a, b) => (b.seq > a.seq ? b : a)).id;
  }
}

/** Each message as the API shows it, with its siblings' ids in order of writing (one alone has no other branches). */
export function withSiblings(messages: readonly Message[]): MessageView[] {
  const groups = new Map<string | null, string[]>();
  for (const m of messages) groups.set(m.parent_id, [...(groups.get(m.parent_id) ?? []), m.id]);
  return messages.map((m) => messageView.parse({ ...m, meta: JSON.parse(m.meta), siblings: groups.get(m.parent_id) }));
}
