import { parseArgs } from "node:util";
import { UsageError } from "./args.ts";

export interface Option {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  default?: string;
  /** The value's placeholder in the usage line (NAME in `--name NAME`); the option's name in capitals by default. */
  arg?: string;
  /** Shown without brackets in the usage line; the command itself checks it (some come from the environment too). */
  required?: boolean;
  help: string;
}
export type Options = Record<string, Option>;

type ValueOf<O extends Option> = O["type"] extends "boolean" ? boolean : O extends { multiple: true } ? string[] : string;
export type Values<O extends Options> = { [K in keyof O]?: ValueOf<O[K]> };
export interface Input<O extends Options> {
  values: Values<O>;
  positionals: string[];
  env: NodeJS.ProcessEnv;
}

/** One command: everything its --help, its usage errors and its parsing come from. */
export interface Command<O extends Options = Options> {
  /** "keys create" for a subcommand. */
  name: string;
  summary: string;
  options: O;
  /** Positional arguments as the usage line shows them, e.g. "ID" or "[MESSAGE]"; none are accepted without. */
  positionals?: string;
  /** Lines printed after the options (defaults, environment variables). */
  notes?: string[];
  example: string;
  /** Resolves to the exit code (0 when nothing is returned). */
  // biome-ignore lint/suspicious/noConfusingVoidType: the commands are async functions that may end without a return
  run(input: Input<O>): Promise<number | void>;
}

export const command = <const O extends Options>(c: Command<O>): Command<O> => c;

const flag = (name: string, o: Option) =>
  `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.arg ?? name.toUpperCase()}` : ""}`;

export function usageLine(c: Command): string {
  const parts = Object.entries(c.options).map(([name, o]) => {
    const f = `--${name}${o.type === "string" ? ` ${o.arg ?? name.toUpperCase()}` : ""}${o.multiple ? " ..." : ""}`;
    return o.required ? f : `[${f}]`;
  });
  return `usage: benih ${c.name}${parts.length ? ` ${parts.join(" ")}` : ""}${c.positionals ? ` ${c.positionals}` : ""}`;
}

/** What `benih <command> --help` prints, and what a usage error prints under its message. */
export function helpText(c: Command): string {
  const rows = [
    ...Object.entries(c.options).map(
      ([name, o]) => [flag(name, o), `${o.help}${o.default !== undefined ? ` (default ${o.default})` : ""}`] as const,
    ),
    ["-h, --help", "show this help"] as const,
  ];
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    `benih ${c.name}: ${c.summary}`,
    "",
    usageLine(c),
    "",
    "options:",
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`),
    ...(c.notes?.length ? ["", ...c.notes] : []),
    "",
    "example:",
    `  ${c.example}`,
    "",
  ].join("\n");
}

export const wantsHelp = (args: string[]) => {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
};

/** Parses a command's arguments strictly by its declaration. */
export function parseInput<O extends Options>(c: Command<O>, args: string[], env: NodeJS.ProcessEnv): Input<O> {
  const options = Object.fromEntries(
    Object.entries(c.options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short && { short: o.short }),
        ...(o.multiple && { multiple: true }),
        ...(o.default !== undefined && { default: o.default }),
      },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: c.positionals !== undefined, strict: true });
    return { values: values as Values<O>, positionals, env };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
