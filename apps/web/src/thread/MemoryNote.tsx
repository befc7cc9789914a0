import type { MessageMeta } from "@benih/contracts";
import { fillText, type Locale } from "../i18n.ts";
import { mt } from "../text/memory.ts";

type MemoryMeta = NonNullable<MessageMeta["memory"]>;

/**
 * Under an answer, what it did with the person's memory: what it remembered or forgot (or why it did not), and
 * "Used N memories", opened to list them.
 */
export function MemoryNote({ memory, locale }: { memory: MemoryMeta | undefined; locale: Locale }) {
  if (!memory) return null;
  const said = [
    memory.remembered && fillText(mt(locale, "remembered"), { text: memory.remembered.content }),
    memory.forgotten && fillText(mt(locale, "forgotten"), { text: memory.forgotten.content }),
    memory.notFound && mt(locale, "forgetNotFound"),
    memory.off && mt(locale, "rememberOff"),
    memory.full && mt(locale, "rememberFull"),
    memory.tooLong && mt(locale, "rememberTooLong"),
  ].filter((s): s is string => Boolean(s));
  const used = memory.used ?? [];
  if (!said.length && !used.length) return null;
  return (
    <div className="memory-note meta" data-testid="memory-note">
      {said.map((s) => (
        <p key={s}>{s}</p>
      ))}
      {used.length > 0 && (
        <details data-testid="memory-used">
          <summary>{used.length === 1 ? mt(locale, "usedMemory") : fillText(mt(locale, "usedMemories"), { n: used.length })}</summary>
          <ul>
            {used.map((m) => (
              <li key={m.id}>{m.content}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
