#!/usr/bin/env node
import { UsageError } from "../cli/args.ts";
import { helpText, parseInput, wantsHelp, type Command } from "../cli/command.ts";
import { commands } from "../cli/commands.ts";

const list = (cs: ReadonlyArray<Command>) => {
  const width = Math.max(...cs.map((c) => c.name.length + (c.positionals ? c.positionals.length + 1 : 0))) + 2;
  return cs.map((c) => `  ${`${c.name}${c.positionals ? ` ${c.positionals}` : ""}`.padEnd(width)}${c.summary}`).join("\n");
};

const HELP = `benih: your own assistant gateway over local and third-party models

usage: benih <command> [options]

${list(commands)}

\`benih <command> --help\` (or \`benih help <command>\`) shows a command's options and an example.
Client commands take --url (or BENIH_URL) and --key (or BENIH_API_KEY).

example:
  benih chat --url http://cn.localhost:8080 --model benih-tiny-cn
`;

const groupHelp = (group: string, cs: ReadonlyArray<Command>) =>
  `benih ${group}: ${cs.length === 1 ? "one subcommand" : `${cs.length} subcommands`}\n\nusage: benih ${group} <${cs.map((c) => c.name.split(" ")[1]).join("|")}> [options]\n\n${list(cs)}\n\n\`benih ${group} <subcommand> --help\` shows its options.\n\nexample:\n  ${cs[0]!.example}\n`;

/** The command that argv names, or the group (`keys`) whose subcommands it starts, with the arguments left. */
function find(argv: string[]): { command?: Command; group?: string; rest: string[] } {
  const command = commands.find((c) => c.name.split(" ").every((w, i) => argv[i] === w));
  if (command) return { command, rest: argv.slice(command.name.split(" ").length) };
  if (argv[0] && commands.some((c) => c.name.startsWith(`${argv[0]} `))) return { group: argv[0], rest: argv.slice(1) };
  return { rest: argv };
}

/** Help that was asked for goes to stdout; the same text goes to stderr under a usage error. */
let usageText = HELP;

async function main(argv: string[]): Promise<number> {
  const asked = argv[0] === "help";
  const { command, group, rest } = find(asked ? argv.slice(1) : argv);
  const groupCommands = commands.filter((c) => c.name.startsWith(`${group} `));
  if (command) usageText = helpText(command);
  else if (group) usageText = groupHelp(group, groupCommands);
  if (asked || (!command && (!argv.length || wantsHelp(argv.slice(0, 1)))) || wantsHelp(rest)) {
    if (asked && argv.length > 1 && !command && !group) throw new UsageError(`unknown command "${argv.slice(1).join(" ")}"`);
    process.stdout.write(usageText);
    return 0;
  }
  if (group) throw new UsageError(rest[0] ? `unknown subcommand "${group} ${rest[0]}"` : `benih ${group} needs a subcommand`);
  if (!command) throw new UsageError(`unknown command "${argv[0]}"`);
  return (await command.run(parseInput(command, rest, process.env))) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    // A person reads this: the message, never a stack trace.
    const usage = err instanceof UsageError && err.showUsage ? `\n${usageText}` : "";
    process.stderr.write(`benih: ${err.message}\n${usage}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
