import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../src/config/load.ts";

describe("benih.yaml", () => {
  it("gives defaults for an empty file", () => {
    const c = parseConfig("", "benih.yaml", {});
    assert.equal(c.server.host, "127.0.0.1");
    assert.equal(c.server.port, 8080);
    assert.equal(c.auth.required, "auto");
    assert.deepEqual(c.routes, []);
  });

  it("names the file, the line and the key of a wrong value", () => {
    const yaml = ["server:", "  port: 80", "routes:", "  - model: chat", "    targets:", "      - provider: openai", "        model: gpt-4o", "        retries: -1"].join("\n");
    assert.throws(() => parseConfig(yaml, "benih.yaml", {}), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^benih\.yaml:8: routes\[0\]\.targets\[0\]\.retries: /);
      return true;
    });
  });

  it("names unknown keys (a typo is not silently ignored)", () => {
    assert.throws(() => parseConfig("server:\n  prot: 9000\n", "benih.yaml", {}), /benih\.yaml:2: server: unknown key\(s\) 'prot'/);
  });

  it("reports YAML syntax errors with their line", () => {
    assert.throws(() => parseConfig("server:\n  port: [1,\n", "benih.yaml", {}), /benih\.yaml:\d+: not valid YAML/);
  });

  it("fills ${VAR} from the environment, with defaults, and names a missing one", () => {
    const yaml = "providers:\n  - name: ds\n    type: deepseek\n    apiKey: ${DS_KEY}\n    baseURL: ${DS_URL:-https://api.deepseek.com/v1}\n";
    const c = parseConfig(yaml, "benih.yaml", { DS_KEY: "sk-1" });
    assert.deepEqual(
      c.providers.map((p) => ("apiKey" in p ? [p.apiKey, p.baseURL] : [])),
      [["sk-1", "https://api.deepseek.com/v1"]],
    );
    assert.throws(() => parseConfig(yaml, "benih.yaml", {}), /benih\.yaml:4: providers\[0\]\.apiKey uses \$\{DS_KEY\}, which is not set/);
  });

  it("checks provider types and their fields", () => {
    assert.throws(() => parseConfig("providers:\n  - name: x\n    type: openai\n    baseURL: not a url\n", "f", {}), /f:4: providers\[0\]\.baseURL/);
    assert.throws(() => parseConfig("providers:\n  - name: x\n    type: bard\n", "f", {}), /f:3: providers\[0\]\.type/);
  });
});
