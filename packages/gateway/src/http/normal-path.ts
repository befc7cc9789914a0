/**
 * Why a request path is not in normal form, or undefined when it is. The router decodes percent-escapes before
 * matching, so `/%761/models` and `/v1/models` reach the same handler; a path that spells a letter, digit, `.`,
 * `-`, `_`, `~` or `\` as an escape, or holds `//`, `.` or `..` segments, has no reason to exist but to look like
 * another path to something that reads the raw URL. Such requests are refused before routing matters.
 * Escapes of other characters stay legal: names in paths carry spaces or non-ASCII text, and the OpenAI SDKs
 * send the `/` inside a model id as `%2F` (the router does not split on it).
 */
export function abnormalPath(url: string): string | undefined {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  if (path[0] !== "/") return "the path must start with /";
  if (path.includes("\\")) return "the path holds a backslash";
  if (path.includes("//")) return "the path holds an empty segment (//)";
  for (let i = path.indexOf("%"); i !== -1; i = path.indexOf("%", i + 1)) {
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return "the path holds a malformed percent-escape";
    const c = String.fromCharCode(parseInt(hex, 16));
    if (/[A-Za-z0-9\-._~\\]/.test(c)) return `the path spells "${c}" as %${hex}; send it as itself`;
    if (c < " " || c === "\x7f") return `the path holds a control character (%${hex})`;
  }
  for (const segment of path.split("/")) if (segment === "." || segment === "..") return "the path holds a . or .. segment";
  return undefined;
}
