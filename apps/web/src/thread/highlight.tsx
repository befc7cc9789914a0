import type { ReactNode } from "react";

// A generic tokenizer for code blocks that reads well for most languages: no grammar per language, no library.

const KEYWORDS = new Set(
  (
    "const let var function return if else for while do switch case break continue new class extends import from export default async await try catch finally throw " +
    "typeof instanceof in of null undefined true false this super yield interface type enum implements public private protected static readonly " +
    "def lambda pass raise with as elif not and or is None True False self print " +
    "func package go defer chan map struct range fn impl pub mut use mod match loop where trait " +
    "int float double char void bool string long short unsigned signed auto " +
    "select insert update delete where join on group by order limit create table values set echo then fi done esac"
  ).split(" "),
);
const TOKEN =
  /(\/\/[^\n]*|#(?!include)[^\n]*|\/\*[\s\S]*?\*\/|--[^\n]*)|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][\w]*)/g;

/** Comments, strings, numbers and keywords as spans; a generic tokenizer that reads well for most languages. */
export function highlight(code: string, lang: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  const hashComments = /^(py|python|sh|bash|shell|zsh|yaml|yml|toml|rb|ruby|r)$/i.test(lang);
  const dashComments = /^(sql|lua|haskell|hs)$/i.test(lang);
  for (const m of code.matchAll(TOKEN)) {
    const [all, comment, str, num, word] = m;
    let cls: string | undefined;
    if (comment) {
      if (comment.startsWith("#") && !hashComments) cls = undefined;
      else if (comment.startsWith("--") && !dashComments) cls = undefined;
      else cls = "tok-c";
    } else if (str) cls = "tok-s";
    else if (num) cls = "tok-n";
    else if (word && KEYWORDS.has(word)) cls = "tok-k";
    if (!cls) continue;
    if (m.index > last) out.push(code.slice(last, m.index));
    out.push(
      <span key={m.index} className={cls}>
        {all}
      </span>,
    );
    last = m.index + all.length;
  }
  if (last < code.length) out.push(code.slice(last));
  return out;
}
