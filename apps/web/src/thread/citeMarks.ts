// A remark plugin: "[n]" in an answer's text, for n up to the number of sources it was given, becomes a citation
// mark (rendered as <sup data-cite="n">, which the thread turns into a button). Code and links are left alone.

interface Node {
  type: string;
  value?: string;
  children?: Node[];
  data?: { hName?: string; hProperties?: Record<string, string> };
}

const MARK = /\[(\d{1,2})\]/g;

function split(text: string, sources: number): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(MARK)) {
    const n = Number(m[1]);
    if (n < 1 || n > sources) continue;
    if (m.index > last) out.push({ type: "text", value: text.slice(last, m.index) });
    out.push({ type: "cite", children: [{ type: "text", value: `[${n}]` }], data: { hName: "sup", hProperties: { dataCite: String(n) } } });
    last = m.index + m[0].length;
  }
  if (!out.length) return [{ type: "text", value: text }];
  if (last < text.length) out.push({ type: "text", value: text.slice(last) });
  return out;
}

function walk(node: Node, sources: number) {
  if (!node.children || node.type === "link" || node.type === "linkReference") return;
  node.children = node.children.flatMap((child) => {
    if (child.type === "text" && child.value) return split(child.value, sources);
    walk(child, sources);
    return [child];
  });
}

/** The plugin, for an answer given `sources` sources. */
export const citeMarks = (sources: number) => () => (tree: Node) => {
  if (sources > 0) walk(tree, sources);
};
