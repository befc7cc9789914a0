import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadConfig, parseConfig } from "../src/config/load.ts";

const dir = mkdtempSync(join(tmpdir(), "benih-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));
/** Loads `lines` as a benih.yaml file and returns the error's lines. */
function errorsOf(lines: string[]): string[] {
  const file = join(dir, "benih.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  try {
    loadConfig({ path: file, env: {} });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message.split("\n");
  }
  assert.fail("the config was accepted");
}

describe("benih.yaml", () => {
  it("gives defaults for an empty file", () => {
    const c = parseConfig("", "benih.yaml", {});
    assert.equal(c.server.host, "127.0.0.1");
    assert.equal(c.server.port, 8080);
    assert.equal(c.auth.required, "auto");
    assert.deepEqual(c.routes, []);
  });

  it("names the file, the line and the key of a wrong value", () => {
    const yaml = [
      "server:",
      "  port: 80",
      "routes:",
      "  - model: chat",
      "    targets:",
      "      - provider: openai",
      "        model: gpt-4o",
      "        retries: -1",
    ].join("\n");
    assert.throws(
      () => parseConfig(yaml, "benih.yaml", {}),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /^benih\.yaml:8: routes\[0\]\.targets\[0\]\.retries: /);
        return true;
      },
    );
  });

  it("checks command recipes: their kind, a program to run, names once each", () => {
    const recipe = (more: string) =>
      `training:\n  recipes:\n    - { name: torch-sft, kind: command, command: [torchrun, sft.py] }\n${more}`;
    const ok = parseConfig(recipe(""), "benih.yaml", {}).training.recipes[0]!;
    assert.deepEqual(ok.accelerator, { count: 1, nodes: 1 }, "one accelerator on one node unless asked");
    assert.throws(
      () => parseConfig(recipe("    - { name: torch-sft, kind: command, command: [x] }\n"), "benih.yaml", {}),
      /recipe torch-sft is declared twice/,
    );
    assert.throws(
      () => parseConfig(recipe("    - { name: empty, kind: command, command: [] }\n"), "benih.yaml", {}),
      /training\.recipes\[1\]\.command: /,
    );
    assert.throws(
      () => parseConfig(recipe("    - { name: other, kind: script, command: [x] }\n"), "benih.yaml", {}),
      /training\.recipes\[1\]\.kind: /,
    );
    assert.throws(
      () => parseConfig(recipe("    - { name: Bad Name, kind: command, command: [x] }\n"), "benih.yaml", {}),
      /training\.recipes\[1\]\.name: use 1–64 lowercase/,
    );
  });

  it("names unknown keys (a typo is not silently ignored)", () => {
    assert.throws(() => parseConfig("server:\n  prot: 9000\n", "benih.yaml", {}), /benih\.yaml:2: server: unknown key 'prot'/);
  });

  it("suggests the known key an unknown one was likely meant to be, at any depth", () => {
    const errors = errorsOf([
      "assistent:", // line 1: two letters off
      "  uploadMaxMb: 5",
      "server:",
      "  prot: 9000", // line 4: a swap
      "  colour: blue", // line 5: nothing near
      "markets:",
      "  - id: cn",
      "    hots: [cn.localhost]", // line 8: inside a list item
      "routes:",
      "  - model: m",
      "    targets:",
      "      - { provider: openai, model: gpt-4o, retr: 2 }", // line 12: a prefix
    ]);
    const file = join(dir, "benih.yaml");
    assert.ok(errors.includes(`${file}:1: (top level): unknown key 'assistent' (did you mean \`assistant\`?)`), errors.join("\n"));
    assert.ok(errors.includes(`${file}:4: server: unknown key 'prot' (did you mean \`port\`?)`), errors.join("\n"));
    assert.ok(errors.includes(`${file}:5: server: unknown key 'colour'`), errors.join("\n"));
    assert.ok(errors.includes(`${file}:8: markets[0]: unknown key 'hots' (did you mean \`hosts\`?)`), errors.join("\n"));
    assert.ok(errors.includes(`${file}:12: routes[0].targets[0]: unknown key 'retr' (did you mean \`retries\`?)`), errors.join("\n"));
  });

  it("reports every error, up to 20, then how many more", () => {
    const few = errorsOf(["server:", ...Array.from({ length: 7 }, (_, i) => `  extra${i}: 1`)]);
    assert.equal(few.length, 7, few.join("\n"));
    const many = errorsOf(["prices:", ...Array.from({ length: 26 }, (_, i) => `  m${i}: { input: -1, output: 1 }`)]);
    assert.equal(many.length, 21, many.join("\n"));
    assert.match(many[19]!, /:21: prices\.m19\.input: /);
    assert.equal(many[20], "… and 6 more");
  });

  it("reports YAML syntax errors with their line", () => {
    assert.throws(() => parseConfig("server:\n  port: [1,\n", "benih.yaml", {}), /benih\.yaml:\d+: not valid YAML/);
  });

  it("fills ${VAR} from the environment, with defaults, and names a missing one", () => {
    const yaml =
      "providers:\n  - name: ds\n    type: deepseek\n    apiKey: ${DS_KEY}\n    baseURL: ${DS_URL:-https://api.deepseek.com/v1}\n";
    const c = parseConfig(yaml, "benih.yaml", { DS_KEY: "sk-1" });
    assert.deepEqual(
      c.providers.map((p) => ("apiKey" in p ? [p.apiKey, p.baseURL] : [])),
      [["sk-1", "https://api.deepseek.com/v1"]],
    );
    assert.throws(() => parseConfig(yaml, "benih.yaml", {}), /benih\.yaml:4: providers\[0\]\.apiKey uses \$\{DS_KEY\}, which is not set/);
  });

  it("checks provider types and their fields", () => {
    assert.throws(
      () => parseConfig("providers:\n  - name: x\n    type: openai\n    baseURL: not a url\n", "f", {}),
      /f:4: providers\[0\]\.baseURL/,
    );
    assert.throws(() => parseConfig("providers:\n  - name: x\n    type: bard\n", "f", {}), /f:3: providers\[0\]\.type/);
  });

  it("keeps a message's images below the body limit of the request that sends them to the model", () => {
    const c = parseConfig("", "benih.yaml", {});
    assert.deepEqual(c.limits.images, { perMessageMb: 12, perPersonMb: 200 });
    assert.ok(c.limits.images.perMessageMb < c.server.bodyLimitMb, "the defaults fit together");
    assert.throws(
      () => parseConfig("limits:\n  images:\n    perMessageMb: 20\n", "benih.yaml", {}),
      /benih\.yaml:3: limits\.images\.perMessageMb: 20 must be below server\.bodyLimitMb \(20\)/,
    );
    const raised = parseConfig("server: { bodyLimitMb: 64 }\nlimits: { images: { perMessageMb: 40 } }\n", "benih.yaml", {});
    assert.equal(raised.limits.images.perMessageMb, 40, "allowed with a larger body limit");
  });
});
