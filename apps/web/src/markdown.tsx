import { useState, type ReactNode } from "react";

// Markdown as React elements, never as an HTML string, so a model's answer cannot inject markup: paragraphs, line
// breaks, headings, lists, quotes, fenced code (highlighted, with a copy button), inline code, bold, italic, and
// http(s) links. While an answer streams, a fence not yet closed already renders as code.

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

function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="code">
      <div className="code-bar">
        <span>{lang || "text"}</span>
        <button
          type="button"
          className="ghost"
          onClick={() => {
            void navigator.clipboard?.writeText(code).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? (
            "✓"
          ) : (
            <svg width="14" height="14" viewBox="0 0 16 16" aria-label="copy" fill="none" stroke="currentColor" strokeWidth="1.5">
              <rect x="5" y="5" width="9" height="9" rx="1.5" />
              <path d="M11 5V3.5A1.5 1.5 0 0 0 9.5 2h-6A1.5 1.5 0 0 0 2 3.5v6A1.5 1.5 0 0 0 3.5 11H5" />
            </svg>
          )}
        </button>
      </div>
      <pre>
        <code data-lang={lang}>{highlight(code, lang)}</code>
      </pre>
    </div>
  );
}

const INLINE =
  /(`[^`\n]+`)|(\*\*[^*\n]+\*\*|__[^_\n]+__)|(\*[^*\s][^*\n]*\*|_[^_\s][^_\n]*_)|(\[[^\]\n]+\]\((https?:\/\/[^\s)]+)\))|(\[(\d{1,2})\])/g;

/** Inline Markdown; `sources` is how many sources the answer was given: [n] up to that many is a citation mark. */
function inline(text: string, key: string, sources: number): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const [all, code, bold, italic, link, href, , cite] = m;
    if (cite && Number(cite) > sources) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    const k = `${key}-${m.index}`;
    if (code) out.push(<code key={k}>{code.slice(1, -1)}</code>);
    else if (bold) out.push(<strong key={k}>{inline(bold.slice(2, -2), k, sources)}</strong>);
    else if (italic) out.push(<em key={k}>{inline(italic.slice(1, -1), k, sources)}</em>);
    else if (cite)
      out.push(
        <sup key={k} className="cite" data-testid="cite-ref">
          [{cite}]
        </sup>,
      );
    else if (link && href)
      out.push(
        <a key={k} href={href} target="_blank" rel="noreferrer noopener">
          {link.slice(1, link.indexOf("]("))}
        </a>,
      );
    last = m.index + all.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const withBreaks = (lines: string[], key: string, sources: number) =>
  // biome-ignore lint/suspicious/noArrayIndexKey: the lines of one rendered text never move; their place is their identity
  lines.flatMap((l, i) => (i ? [<br key={`${key}-br${i}`} />, ...inline(l, `${key}-${i}`, sources)] : inline(l, `${key}-${i}`, sources)));

export function Markdown({ text, citations = 0 }: { text: string; citations?: number }) {
  const lines = text.split("\n");
  const blocks: ReactNode[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push(<p key={`p${blocks.length}`}>{withBreaks(para, `p${blocks.length}`, citations)}</p>);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```|~~~)\s*([\w+#.-]*)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!); i++) body.push(lines[i]!);
      blocks.push(<CodeBlock key={`c${blocks.length}`} code={body.join("\n")} lang={fence[2] ?? ""} />);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(heading[1]!.length + 2, 6); // inside a chat bubble, # is a small heading
      const H = `h${level}` as "h3";
      blocks.push(<H key={`h${blocks.length}`}>{inline(heading[2]!, `h${blocks.length}`, citations)}</H>);
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = /\d/.test(item[1]!);
      const items: string[] = [];
      for (; i < lines.length; i++) {
        const m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]!);
        if (!m || /\d/.test(m[1]!) !== ordered) break;
        items.push(m[2]!);
      }
      i--;
      const L = ordered ? "ol" : "ul";
      blocks.push(
        <L key={`l${blocks.length}`}>
          {items.map((t, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a rendered answer's list items never move; their place is their identity
            <li key={j}>{inline(t, `l${blocks.length}-${j}`, citations)}</li>
          ))}
        </L>,
      );
      continue;
    }
    if (/^>\s?/.test(line)) {
      flush();
      const quoted: string[] = [];
      for (; i < lines.length && /^>\s?/.test(lines[i]!); i++) quoted.push(lines[i]!.replace(/^>\s?/, ""));
      i--;
      blocks.push(<blockquote key={`q${blocks.length}`}>{withBreaks(quoted, `q${blocks.length}`, citations)}</blockquote>);
      continue;
    }
    if (!line.trim()) flush();
    else para.push(line);
  }
  flush();
  return <div className="md">{blocks}</div>;
}
