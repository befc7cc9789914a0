import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { configSchema, type BenihConfig } from "./schema.ts";

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

/** Parses and validates YAML config text; errors name the file, the line and the key. */
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
    const lines = parsed.error.issues.slice(0, 5).map((issue) => {
      const at = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
      const line = lineOf(doc, counter, at);
      const key = keyPath(issue.path) || "(top level)";
      const msg = issue.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}` : issue.message;
      return `${file}:${line ?? "?"}: ${key}: ${msg}`;
    });
    throw new ConfigError(lines.join("\n"));
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
