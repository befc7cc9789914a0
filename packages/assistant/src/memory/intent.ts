/** A message that asks, in so many words, to remember or to forget something: what it states. */
export type MemoryIntent = { kind: "remember" | "forget"; fact: string };

// Explicit requests only, at the start of a message, in English, Chinese and Indonesian. A message that merely
// mentions remembering ("do you remember when…", "ingat kapan…", "还记得吗") is a question, not a request.
const REMEMBER = [
  /^(?:please\s+|pls\s+)?(?:can you\s+|could you\s+)?remember(?:\s+that\b|\s*[:：])\s*(.+)$/isu,
  // Bare "记住" starts questions too ("记住单词的方法"): without "请" it takes a colon or comma, or a fact about "我".
  /^(?:请你?|麻烦你?|帮我)(?:记住|记下)(?:一下)?[：:，,、]?\s*(.+)$/su,
  /^(?:记住|记下)(?:一下)?(?:[：:，,、]\s*|(?=我))(.+)$/su,
  /^(?:tolong\s+)?(?:ingat(?:lah)?\s+bahwa\b|ingat\s*[:：]|ingatlah\b[:：,]?)\s*(.+)$/isu,
];
const FORGET = [
  /^(?:please\s+)?forget(?:\s+that\b|\s+about\b|\s*[:：])\s*(.+)$/isu,
  // "忘记…" alone is as often "I forgot…" ("忘记密码怎么办"), "lupakan saja" is "never mind": a request is asked.
  /^(?:请你?|麻烦你?|帮我)(?:忘记|忘掉)[：:，,、]?\s*(.+)$/su,
  /^(?:忘掉|忘记)[：:，,、]\s*(.+)$/su,
  /^(?:tolong\s+lupakan(?:lah)?\b[:：,]?|lupakan(?:lah)?\s+bahwa\b|lupakan(?:lah)?\s*[:：])\s*(.+)$/isu,
];

/** Where the fact ends: at the first sentence's end (a question often follows it), or the line's. */
const SENTENCE_END = /[.!?](?=\s|$)|[。！？\n]/u;

/**
 * The fact a request states: its first sentence, without the trailing stop and quotes around it; none when that
 * sentence is a question ("remember: what was it?") or "记住了吗".
 */
function factOf(rest: string): string {
  const end = rest.search(SENTENCE_END);
  if (end !== -1 && /[?？]/u.test(rest[end]!)) return "";
  if (/^了|吗$/u.test(rest.slice(0, end === -1 ? undefined : end).trim())) return "";
  return (end === -1 ? rest : rest.slice(0, end))
    .trim()
    .replace(/^["'“‘「『]+|["'”’」』]+$/gu, "")
    .trim();
}

/** The request a message makes, if it asks to remember or to forget something; undefined for any other message. */
export function memoryIntent(message: string): MemoryIntent | undefined {
  const text = message.normalize("NFKC").trim();
  for (const [kind, patterns] of [
    ["remember", REMEMBER],
    ["forget", FORGET],
  ] as const) {
    for (const p of patterns) {
      const rest = p.exec(text)?.[1];
      const fact = rest === undefined ? "" : factOf(rest);
      if (fact) return { kind, fact };
    }
  }
  return undefined;
}
