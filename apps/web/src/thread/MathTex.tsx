import { useEffect, useState } from "react";

// KaTeX (about 75 KB of script and its fonts) is loaded with the first formula shown: most answers have none.
type Katex = typeof import("katex").default;
let katex: Promise<Katex> | undefined;
const loadKatex = () => (katex ??= Promise.all([import("katex"), import("katex/dist/katex.min.css")]).then(([k]) => k.default));

/** A TeX formula, inline or as a block: its source until KaTeX has loaded, then typeset. */
export function MathTex({ tex, display }: { tex: string; display: boolean }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let shown = true;
    void loadKatex().then((k) => {
      // trust: false keeps \href, \url and \html… out, so a model's formula cannot link or add markup; an invalid one
      // is shown as its source in red rather than thrown.
      if (shown)
        setHtml(
          k.renderToString(tex, { displayMode: display, throwOnError: false, trust: false, strict: "ignore", output: "htmlAndMathml" }),
        );
    });
    return () => {
      shown = false;
    };
  }, [tex, display]);
  const Tag = display ? "div" : "span";
  if (html === null)
    return (
      <Tag className={`math-src ${display ? "math-display" : "math-inline"}`} data-testid="math">
        {tex}
      </Tag>
    );
  // KaTeX's own markup for the formula, made without trust (see above).
  const typeset = { __html: html };
  return (
    // biome-ignore lint/security/noDangerouslySetInnerHtml: KaTeX's markup, made without trust
    <Tag className={display ? "math-display" : "math-inline"} data-testid="math" data-typeset="" dangerouslySetInnerHTML={typeset} />
  );
}
