import SQLite from "better-sqlite3";
import { createHash } from "node:crypto";
import { terms } from "../packages/assistant/src/knowledge/terms.ts";
const db = new SQLite(process.argv[2]!);
db.pragma("mmap_size = 268435456"); db.pragma("cache_size = -65536");
const tag = "o" + createHash("sha256").update("bench").digest("hex").slice(0, 24);
const time = (label: string, s: string, ...a: unknown[]) => { const st = db.prepare(s); st.all(...a); const t = performance.now(); let r; for (let i = 0; i < 5; i++) r = st.all(...a); console.log(label, ((performance.now() - t) / 5).toFixed(2), "ms", JSON.stringify(r).slice(0, 80)); };
const df = (w: string) => (db.prepare("select doc from kb_vocab where term = ?").get(w) as { doc: number } | undefined)?.doc;
const q = "what is the karimu3 of tosano5";
console.log(terms(q).map((w) => [w, df(w)]));
const en = db.prepare("select term, doc from kb_vocab where term glob '*[0-9]' order by random() limit 4").all() as Array<{ term: string; doc: number }>;
console.log(en);
const [a, b] = en;
for (const [label, m] of [["AND", `"${a!.term}" AND "${b!.term}"`], ["OR", `"${a!.term}" OR "${b!.term}"`], ["single", `"${a!.term}"`]] as const) {
  const match = `owner_tag : ("oshared" OR "${tag}") AND terms : (${m})`;
  time(label + " rank", "select rowid, rank from kb_fts where kb_fts match ? order by rank limit 5", match);
  time(label + " count", "select count(*) from kb_fts where kb_fts match ?", match);
  time(label + " no-owner rank", "select rowid, rank from kb_fts where kb_fts match ? order by rank limit 5", `terms : (${m})`);
}
