import SQLite from "better-sqlite3";
import { terms } from "../packages/assistant/src/knowledge/terms.ts";
const db = new SQLite(process.argv[2]!);
const q = (s: string, ...a: unknown[]) => { const t = performance.now(); const r = db.prepare(s).all(...a); return [performance.now() - t, r] as const; };
for (const text of ["日本的经济是什么", "中国的技术是什么", "what is the karimu3 of tosano5"]) {
  const words = terms(text);
  console.log(text, words);
  for (const w of words) console.log("  df", w, q("select doc from kb_vocab where term = ?", w)[1], q("select doc from kb_vocab where term = ?", w)[0].toFixed(2), "ms");
}
const words = ["日本", "经济"];
for (const match of [`"日本" AND "经济"`, `"日本" OR "经济"`]) {
  const [ms, rows] = q(`select c.id, -bm25(kb_fts) s from kb_fts join kb_chunks c on c.id = kb_fts.rowid where kb_fts match ? order by bm25(kb_fts) limit 5`, match);
  const [ms2] = q(`select rowid from kb_fts where kb_fts match ? order by rank limit 5`, match);
  const [ms3, cnt] = q(`select count(*) n from kb_fts where kb_fts match ?`, match);
  console.log(match, ms.toFixed(2), "ms join+bm25;", ms2.toFixed(2), "ms rank only;", ms3.toFixed(2), "ms count", cnt);
}
