import { memo, useMemo, type ReactNode } from "react";
import ReactMarkdown, { type Components, type Options } from "react-markdown";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";
import type { Locale } from "./i18n.ts";
import { citeMarks } from "./thread/citeMarks.ts";
import { CodeBlock } from "./thread/CodeBlock.tsx";
import { MathTex } from "./thread/MathTex.tsx";

// An answer's Markdown by react-markdown (CommonMark with GitHub's tables, autolinks, strikethrough and task lists,
// and $…$ / $$…$$ math), as React elements, never as an HTML string: raw HTML in a model's answer is dropped, not
// run, and links to javascript: and the like are emptied. While an answer streams, a fence not yet closed already
// renders as code.

const textOf = (node: unknown): string => {
  const n = node as { value?: string; children?: unknown[] };
  return n.value ?? n.children?.map(textOf).join("") ?? "";
};
const langOf = (className: unknown) => (typeof className === "string" ? (/language-([\w+#.-]+)/.exec(className)?.[1] ?? "") : "");

/** Links an answer may hold: to the web and mail; a relative or javascript: one is emptied. */
const webOnly = (url: string) => (/^(https?:|mailto:)/i.test(url) ? url : "");

interface Props {
  text: string;
  locale: Locale;
  /** How many sources the answer was given: [n] up to that many is a citation mark. */
  citations?: number;
  /** A citation mark was chosen. */
  onCite?(n: number, mark: HTMLElement): void;
}

function MarkdownView({ text, locale, citations = 0, onCite }: Props) {
  const remarkPlugins: Options["remarkPlugins"] = useMemo(() => [remarkGfm, remarkMath, citeMarks(citations)], [citations]);
  const components: Components = useMemo(
    () => ({
      // Inside a chat bubble, # is a small heading.
      h1: ({ children }) => <h3>{children}</h3>,
      h2: ({ children }) => <h4>{children}</h4>,
      h3: ({ children }) => <h5>{children}</h5>,
      // A model's image is a link to it, never loaded on its own: a prompt-injected answer could otherwise send the
      // conversation to any server in an image's address, without a click.
      img: ({ src, alt }) =>
        typeof src === "string" && src ? (
          <a href={src} target="_blank" rel="noreferrer noopener">
            {alt || src}
          </a>
        ) : null,
      a: ({ href, children }) =>
        href ? (
          <a href={href} target="_blank" rel="noreferrer noopener">
            {children}
          </a>
        ) : (
          <span>{children}</span>
        ),
      table: ({ children }) => (
        <div className="table-wrap">
          <table>{children}</table>
        </div>
      ),
      pre: ({ node }) => {
        const code = node?.children[0] as { properties?: { className?: unknown } } | undefined;
        const lang = langOf((code?.properties?.className as string[] | undefined)?.join(" "));
        const source = textOf(code).replace(/\n$/, "");
        return lang === "math" ? <MathTex tex={source} display /> : <CodeBlock code={source} lang={lang} locale={locale} />;
      },
      code: ({ className, children }) =>
        langOf(className) === "math" ? <MathTex tex={String(children)} display={false} /> : <code>{children}</code>,
      sup: ({ children, ...rest }): ReactNode => {
        const n = Number((rest as Record<string, unknown>)["data-cite"]);
        if (!n) return <sup>{children}</sup>;
        return (
          <button type="button" className="cite" data-testid="cite-ref" data-n={n} onClick={(e) => onCite?.(n, e.currentTarget)}>
            [{n}]
          </button>
        );
      },
    }),
    [locale, onCite],
  );
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={remarkPlugins} components={components} urlTransform={webOnly}>
        {text}
      </ReactMarkdown>
    </div>
  );
}

export const Markdown = memo(MarkdownView);
