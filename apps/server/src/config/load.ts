import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { configSchema, type BenihConfig } from "./schema.ts";
import { knownKeys, nearest } from "./suggest.ts";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface LoadedConfig {
  config: BenihConfig;
  /** The file read, if any. */
  path: string | undefined;
}

const keyPath = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), "");

/** The line of the deepest node on `path` that exists in the document. */
function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** The line of the key `key` itself in the map at `path` (its value may start on a later line). */
function keyLineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>, key: string): number | undefined {
  const map = (path.length ? doc.getIn(path as unknown[], true) : doc.contents) as {
    items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }>;
  } | null;
  const range = map?.items?.find((p) => p.key?.value === key)?.key?.range;
  return range ? counter.linePos(range[0]).line : lineOf(doc, counter, [...path, key]);
}

/** `${NAME}` and `${NAME:-default}` in string values come from the environment. */
function interpolate(doc: Document, counter: LineCounter, env: NodeJS.ProcessEnv, file: string) {
  const visit = (node: unknown, path: PropertyKey[]) => {
    if (isScalar(node) && typeof node.value === "string") {
      node.value = node.value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/gi, (_m, name: string, fallback?: string) => {
        const v = env[name];
        if (v !== undefined && v !== "") return v;
        if (fallback !== undefined) return fallback;
        const line = node.range ? counter.linePos(node.range[0]).line : "?";
        throw new ConfigError(`${file}:${line}: ${keyPath(path)} uses \${${name}}, which is not set in the environment`);
      });
      return;
    }
    const items = (node as { items?: unknown[] })?.items;
    if (!Array.isArray(items)) return;
    items.forEach((item, i) => {
      const pair = item as { key?: { value?: unknown }; value?: unknown };
      if (pair && "key" in pair && "value" in pair) visit(pair.value, [...path, String(pair.key?.value)]);
      else visit(item, [...path, i]);
    });
  };
  visit(doc.contents, []);
}

/** Errors shown before "and N more". */
const SHOWN_ERRORS = 20;

/** Parses and validates YAML config text; errors name the file, the line and the key, and a typo's likely key. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): BenihConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${file}:${e.linePos?.[0]?.line ?? "?"}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  interpolate(doc, counter, env, file);
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const found = parsed.error.issues.flatMap((issue) => {
      const where = keyPath(issue.path) || "(top level)";
      if (issue.code !== "unrecognized_keys") return [{ line: lineOf(doc, counter, issue.path), text: `${where}: ${issue.message}` }];
      const known = knownKeys(configSchema, issue.path);
      return issue.keys.map((k) => {
        const guess = nearest(k, known);
        return {
          line: keyLineOf(doc, counter, issue.path, k),
          text: `${where}: unknown key '${k}'${guess ? ` (did you mean \`${guess}\`?)` : ""}`,
        };
      });
    });
    // In the file's order, as someone fixing them reads it.
    const lines = found.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)).map((e) => `${file}:${e.line ?? "?"}: ${e.text}`);
    const more = lines.length - SHOWN_ERRORS;
    throw new ConfigError([...lines.slice(0, SHOWN_ERRORS), ...(more > 0 ? [`… and ${more} more`] : [])].join("\n"));
  }
  return parsed.data;
}

/** Reads `--config`, else BENIH_CONFIG, else ./benih.yaml if present; no file means all defaults. */
export function loadConfig(opts: { path?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.path ?? env.BENIH_CONFIG;
  const path = explicit ? resolve(cwd, explicit) : resolve(cwd, "benih.yaml");
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(`config file ${path} does not exist`);
    return { config: configSchema.parse({}), path: undefined };
  }
  return { config: parseConfig(readFileSync(path, "utf8"), path, env), path };
}
