import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseConfig } from "../src/config/load.ts";

// The README's benih.yaml examples are what people copy: each parses and validates as written.
const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** Every ${VAR} the examples read, set to a value long enough for any rule (agent tokens need 16 characters). */
const env = Object.fromEntries([...readme.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => [m[1]!, `value-of-${m[1]!.toLowerCase()}`]));

describe("README configuration examples", () => {
  it("has examples to check", () => assert.ok(blocks.length >= 3, `${blocks.length} yaml blocks`));
  for (const [i, text] of blocks.entries()) {
    it(`parses example ${i + 1} (${text.split("\n")[0]!.trim()})`, () => {
      parseConfig(text, `README.md yaml block ${i + 1}`, env);
    });
  }
  it("refuses an agent token shorter than 16 characters, as the README says", () => {
    const training = blocks.find((b) => b.startsWith("training:"))!;
    assert.throws(
      () => parseConfig(training, "README.md", { ...env, AGENT_TOKEN_CN_NORTH: "too-short" }),
      /training\.agents\[0\]\.token: use a token of at least 16 characters/,
    );
  });
});
