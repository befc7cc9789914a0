import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "benih-cli-"));
const env = { ...process.env, BENIH_DATA_DIR: dir, BENIH_MODELS_DIR: join(dir, "models"), OPENAI_API_KEY: "", DATABASE_URL: "" };

const exitCode = (r: object) => ("code" in r ? (r.code as number) : 0);
const benih = (args: string[], extraEnv: Record<string, string> = {}) =>
  run(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv }, cwd: dir }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

let up: FakeServer;
before(async () => {
  up = await startFakeOpenAI();
});
after(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the benih CLI", () => {
  it("creates a key that the server then accepts, lists it, and revokes it", async () => {
    const created = await benih(["keys", "create", "--name", "ci"]);
    const key = created.stdout.trim();
    assert.match(key, /^bk-/);
    assert.match(created.stderr, /only time it is shown/);

    const server = await startServer({
      yaml: "auth:\n  required: true\n",
      env: { BENIH_DATA_DIR: dir, OPENAI_API_KEY: "sk", OPENAI_BASE_URL: `${up.url}/v1` },
    });
    try {
      const ok = await benih(["models", "--url", server.url, "--key", key]);
      assert.match(ok.stdout, /openai\/gpt-4o-mini\s+fake/);
      const denied = (await benih(["models", "--url", server.url, "--key", "bk-wrong"])) as { code: number; stderr: string };
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /^benih: Incorrect API key provided\.\n$/);

      const answer = await benih(["chat", "--url", server.url, "--key", key, "--model", "openai/ok", "Hello?"]);
      assert.equal(answer.stdout, "Hello from ok\n");

      // Interactive chat over piped input: every line answered in turn, with the conversation so far.
      const from = up.seen.length;
      const session = spawn(process.execPath, [bin, "chat", "--url", server.url, "--key", key, "--model", "openai/ok"], { env, cwd: dir });
      session.stdin.end("first\nsecond\n/exit\nnever sent\n");
      let out = "";
      session.stdout.on("data", (d) => (out += d));
      assert.equal(await new Promise((r) => session.on("close", r)), 0);
      assert.equal(out, "Hello from ok\nHello from ok\n");
      const sent = up.seen.slice(from).map((r) => r.body.messages.map((m: { content: string }) => m.content));
      assert.deepEqual(sent, [["first"], ["first", "Hello from ok", "second"]]);
    } finally {
      await server.close().catch(() => {});
    }
    const list = await benih(["keys", "list"]);
    assert.match(list.stdout, /user\s+ci\s+live/);
    // Listed as OpenAI and Stripe list keys: the fixed prefix and the last four, nothing of the secret's start.
    const hint = `bk-…${key.slice(-4)}`;
    assert.ok(list.stdout.startsWith(`${hint}  `), list.stdout);
    assert.ok(!list.stdout.includes(key.slice(3, 7)), "no part of the secret's start is shown");
    assert.match(created.stderr, new RegExp(`\\(${hint}\\)`));
    assert.match((await benih(["keys", "revoke", hint])).stdout, /revoked 1 key/);
    assert.match((await benih(["keys", "list"])).stdout, /ci\s+revoked/);
  });

  it("lists the admin key without any of its secret, and revokes keys as list shows them", async () => {
    const admin = "bk-admin-secret-that-must-not-show-9Zq4";
    const server = await startServer({ yaml: "auth:\n  required: true\n", env: { BENIH_DATA_DIR: dir, BENIH_ADMIN_KEY: admin } });
    await server.close().catch(() => {});
    const a = await benih(["keys", "create", "--name", "twin-a"]);
    const b = await benih(["keys", "create", "--name", "twin-b"]);
    const list = (await benih(["keys", "list"])).stdout;
    const row = list.split("\n").find((l) => l.includes("BENIH_ADMIN_KEY"))!;
    assert.match(row, /^bk-…9Zq4\s+admin\s+BENIH_ADMIN_KEY\s+live/);
    assert.ok(!list.includes("admin-sec"), list);
    // Typed with three dots too, as a terminal makes easy.
    const [keyA, keyB] = [a.stdout.trim(), b.stdout.trim()];
    assert.match((await benih(["keys", "revoke", `bk-...${keyA.slice(-4)}`])).stdout, /revoked 1 key/);
    const idB = new RegExp(`${keyB.slice(-4)}\\s+user\\s+twin-b\\s+live .* id (\\S+)`).exec((await benih(["keys", "list"])).stdout)?.[1];
    assert.ok(idB);
    assert.match((await benih(["keys", "revoke", idB])).stdout, /revoked 1 key/);
    assert.match((await benih(["keys", "list"])).stdout, /twin-a\s+revoked[\s\S]*twin-b\s+revoked/);
  });

  it("users: adds a person who can then sign in, changes their role, and disables them", async () => {
    const yaml = [
      "auth: { signup: invite }",
      "training: { localAgent: false }",
      "markets:",
      "  - { id: global, region: global, displayName: { en: B }, brand: { name: { en: B }, colors: { primary: '#1f6feb' } }, defaultLocale: en,",
      "      locales: [en], hosts: [localhost, 127.0.0.1], allow: [openai/*], policy: { refusal: { en: no } } }",
      "",
    ].join("\n");
    const file = join(dir, "people.yaml");
    writeFileSync(file, yaml);
    const withConfig = (...args: string[]) => benih([...args, "--config", file]);
    assert.match(
      (await withConfig("users", "create", "--email", "ana@example.com")).stderr,
      /name the person's market with --market \(global\)/,
    );
    const made = await withConfig("users", "create", "--email", "Ana@Example.com", "--market", "global");
    assert.equal(exitCode(made), 0, made.stderr);
    const password = made.stdout.trim();
    assert.match(password, /^[\w-]{16}$/, "a password made for them, printed once");
    assert.match(made.stderr, /created member ana@example\.com in market global/);
    assert.match((await withConfig("users", "role", "ana@example.com", "admin", "--market", "global")).stdout, /now an admin/);
    assert.match((await withConfig("users", "list", "--market", "global")).stdout, /^ana@example\.com\s+admin\s+active/m);

    const server = await startServer({ yaml, env: { BENIH_DATA_DIR: dir } });
    try {
      const login = (pw: string) =>
        fetch(`${server.url}/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "ana@example.com", password: pw }),
        });
      const signedIn = await login(password);
      assert.equal(signedIn.status, 200);
      assert.equal(((await signedIn.json()) as { role: string }).role, "admin");
      const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
      assert.match((await withConfig("users", "disable", "ana@example.com", "--market", "global")).stdout, /disabled ana@example\.com/);
      await new Promise((r) => setTimeout(r, 1_100)); // another process's change reaches a cached session within 1 s
      assert.equal((await fetch(`${server.url}/v1/me`, { headers: { cookie } })).status, 401, "their session ended");
      assert.equal((await login(password)).status, 401);
    } finally {
      await server.close();
    }
    assert.match((await withConfig("users", "list", "--market", "global")).stdout, /^ana@example\.com\s+admin\s+disabled/m);
  });

  it("config check shows what would run and warns about routes to unconfigured providers", async () => {
    const file = join(dir, "benih.yaml");
    writeFileSync(file, "routes:\n  - model: smart\n    targets:\n      - { provider: deepseek, model: deepseek-chat }\n");
    const out = await benih(["config", "check"], { OPENAI_API_KEY: "sk-x" });
    assert.match(out.stdout, /config:\s+.*benih\.yaml/);
    assert.match(out.stdout, /openai\s+from environment \(OPENAI_API_KEY\)/);
    assert.match(out.stdout, /smart → deepseek\/deepseek-chat/);
    assert.match(out.stdout, /warning: route smart: provider deepseek is not configured: set DEEPSEEK_API_KEY/);
    rmSync(file);
  });

  it("explains a bad config and exits non-zero, without a stack trace", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "server:\n  port: eighty\n");
    const out = (await benih(["config", "check", "--config", file])) as { code: number; stderr: string };
    assert.equal(out.code, 1);
    assert.match(out.stderr, /bad\.yaml:2: server\.port: /);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
  });

  it("markets list shows each shipped market's hosts, models and store; markets check exits 1 on a misconfigured market", async () => {
    const shipped = fileURLToPath(new URL("../../../../benih.yaml", import.meta.url));
    const models = fileURLToPath(new URL("../../../../models", import.meta.url));
    const list = await benih(["markets", "list", "--config", shipped], { BENIH_MODELS_DIR: models });
    assert.equal(exitCode(list), 0, list.stderr);
    assert.match(list.stdout, /^cn: 种子助手, region cn$/m);
    assert.match(list.stdout, /^ {2}hosts: {6}cn\.localhost$/m);
    assert.match(list.stdout, /^global: Benih, region global\n {2}hosts: {6}global\.localhost, localhost, 127\.0\.0\.1, ::1$/m);
    assert.match(list.stdout, /models now: benih-tiny-cn\n/);
    assert.match(list.stdout, /models now: benih-tiny-global\n/);
    assert.match(list.stdout, /store: {6}sqlite .*markets\/cn\.db, kept 180 days/);
    assert.match(list.stdout, /warning: market cn allows ark, which is not configured \(provider ark is not configured: set ARK_API_KEY\)/);

    const bad = join(dir, "bad-markets.yaml");
    writeFileSync(
      bad,
      [
        "markets:",
        "  - { id: cn, region: cn, displayName: { zh: 种子 }, brand: { name: { zh: 种子 }, colors: { primary: '#e5484d' } }, defaultLocale: zh, locales: [zh],",
        "      hosts: [cn.localhost], allow: [local/*, openai/*], defaults: { chat: openai/gpt-4o }, policy: { refusal: { zh: 不 } }, store: { sqlite: one.db } }",
        "  - { id: global, region: global, displayName: { en: B }, brand: { name: { en: B }, colors: { primary: '#1f6feb' } }, defaultLocale: en, locales: [en],",
        "      hosts: [localhost], allow: [local/*], defaults: { chat: openai/gpt-4o }, policy: { refusal: { en: no } }, store: { sqlite: one.db } }",
        "",
      ].join("\n"),
    );
    const check = await benih(["markets", "check", "--config", bad], { OPENAI_API_KEY: "sk-test" });
    assert.equal(exitCode(check), 1);
    assert.match(check.stdout, /warning: market cn allows provider openai, whose region global lies outside the market's region cn/);
    assert.match(check.stdout, /error: market global default chat model openai\/gpt-4o is not in the market's allow-list/);
    assert.match(check.stdout, /error: market global shares its store with market cn/);
    assert.match(check.stdout, /2 error\(s\)/);
  });

  it("keys belong to a configured market", async () => {
    const shipped = fileURLToPath(new URL("../../../../benih.yaml", import.meta.url));
    const unknown = await benih(["keys", "create", "--market", "mars", "--config", shipped]);
    assert.equal(exitCode(unknown), 2);
    assert.match(unknown.stderr, /no market is named "mars"; markets: cn, global/);
    const created = await benih(["keys", "create", "--name", "cn app", "--market", "cn", "--config", shipped]);
    assert.match(created.stderr, /created user key "cn app" for market cn/);
    assert.match((await benih(["keys", "list"])).stdout, /cn app +market cn/);
  });

  it("serving beyond loopback, says at startup which host names the markets answer to and what to add", async () => {
    const shipped = fileURLToPath(new URL("../../../../benih.yaml", import.meta.url));
    const child = spawn(process.execPath, [bin, "serve", "--config", shipped, "--host", "0.0.0.0", "--port", "0"], {
      env: { ...env, LOG_LEVEL: "warn" },
      cwd: dir,
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", () => /markets answer[^\n]*\n/.test(stderr) && resolve());
        child.on("exit", () => reject(new Error(`exited early: ${stderr}`)));
      });
    } finally {
      child.kill("SIGTERM");
    }
    assert.match(
      stderr,
      /^markets answer to these host names only: cn: cn\.localhost; global: global\.localhost, localhost, 127\.0\.0\.1, ::1; any other host name gets 421 no_market: add it to a market's `hosts:` in benih\.yaml, or set `defaultMarket:`$/m,
    );
  });

  it("says where no server is running instead of failing obscurely", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const out = (await benih(["models", "--url", `http://127.0.0.1:${port}`])) as { code: number; stderr: string };
    assert.equal(out.code, 2);
    assert.match(out.stderr, new RegExp(`no benih server at http://127.0.0.1:${port}: start one with \`npm start\``));
  });
});
