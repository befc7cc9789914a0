import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { commands } from "../../src/cli/commands.ts";

const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
type Ran = { code: number; stdout: string; stderr: string };
const benih = (args: string[]): Promise<Ran> =>
  promisify(execFile)(process.execPath, [bin, ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: Ran) => e,
  );
const groups = [...new Set(commands.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]!))];

// One process at a time: the suites beside this one (the abuse suite times its answers) keep a core.
describe("benih --help", () => {
  // Enumerated from the declarations the CLI itself runs, so a command added without help fails here.
  for (const c of commands) {
    it(`benih ${c.name} --help exits 0 with its usage line, its options and an example`, async () => {
      const r = await benih([...c.name.split(" "), "--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, new RegExp(`^usage: benih ${c.name}( |$)`, "m"));
      for (const name of Object.keys(c.options)) assert.match(r.stdout, new RegExp(`--${name}\\b.*\\S`), `--${name} is described`);
      assert.match(r.stdout, new RegExp(`\\nexample:\\n {2}benih ${c.name}( |\\n)`));
      assert.deepEqual(await benih(["help", ...c.name.split(" ")]), r, "`benih help <command>` prints the same");
    });
  }

  for (const group of groups) {
    it(`benih ${group} --help lists its subcommands`, async () => {
      const r = await benih([group, "--help"]);
      assert.equal(r.code, 0, r.stderr);
      for (const c of commands.filter((c) => c.name.startsWith(`${group} `))) assert.match(r.stdout, new RegExp(`^ {2}${c.name}\\b`, "m"));
      assert.match(r.stdout, /\nexample:\n {2}benih /);
    });
  }

  it("benih --help, -h, help and no command at all list every command", async () => {
    const all = await Promise.all([["--help"], ["-h"], ["help"], []].map(benih));
    for (const r of all) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, all[0]!.stdout);
    }
    for (const c of commands) assert.match(all[0]!.stdout, new RegExp(`^ {2}${c.name}\\b`, "m"));
  });

  it("a usage error exits 2 and prints the message, then the same text --help prints, on stderr", async () => {
    const help = (await benih(["eval", "--help"])).stdout;
    const wrong = await benih(["eval", "--lmit", "20"]);
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stdout, "");
    assert.equal(wrong.stderr, `benih: Unknown option '--lmit'\n\n${help}`);
    const missing = await benih(["eval", "--dataset", "cn"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `benih: missing --run\n\n${help}`);
    const noSub = await benih(["keys"]);
    assert.equal(noSub.code, 2);
    assert.equal(noSub.stderr, `benih: benih keys needs a subcommand\n\n${(await benih(["keys", "--help"])).stdout}`);
    const unknown = await benih(["serv"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^benih: unknown command "serv"\n\n[\s\S]*^ {2}serve /m);
  });
});
