import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { solidPng, startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import OpenAI from "openai";
import { request } from "undici";
import { startServer } from "./harness.ts";
import { marketYaml } from "./market-yaml.ts";

// People in their markets, as a browser and an API client meet them: sign-up and sign-in, the session cookie and
// CSRF, each person's own data, their keys, throttling, invitations, an admin's powers, usage.

const yaml = (upstream: string) => `
auth: { signup: open }
providers:
  - { name: openai, type: openai, baseURL: "${upstream}", apiKey: k, listModels: false }
routes:
  - { model: gpt, targets: [{ provider: openai, model: ok }] }
  - { model: stall, targets: [{ provider: openai, model: stall-mid-stream }] }
prices: { openai/ok: { input: 1, output: 2 } }
training: { localAgent: false }
markets:${marketYaml("cn", "cn.localhost", "\n    auth: { signup: invite }")}${marketYaml("global", "localhost")}
`;

interface Answer {
  status: number;
  json: any;
  headers: Record<string, string | string[] | undefined>;
}

/** A browser of one site: keeps the session cookie and the CSRF token, and sends its Origin as a browser does. */
class Browser {
  cookie = "";
  csrf = "";
  constructor(
    private readonly url: string,
    readonly host: string,
  ) {}

  async call(method: string, path: string, body?: unknown, o: { origin?: string; csrf?: boolean; type?: string } = {}): Promise<Answer> {
    const raw = Buffer.isBuffer(body);
    const res = await request(`${this.url}${path}`, {
      method: method as "GET",
      headers: {
        host: this.host,
        origin: o.origin ?? `http://${this.host}`,
        ...(this.cookie && { cookie: this.cookie }),
        ...(o.csrf !== false && this.csrf && { "x-csrf-token": this.csrf }),
        ...(body !== undefined && { "content-type": o.type ?? "application/json" }),
      },
      ...(body !== undefined && { body: raw ? body : JSON.stringify(body) }),
    });
    const text = await res.body.text();
    const set = res.headers["set-cookie"];
    for (const c of [set ?? []].flat()) {
      const [pair] = c.split(";");
      if (pair!.startsWith("benih_session=")) this.cookie = pair!.endsWith("=") ? "" : pair!;
    }
    const json = text && res.headers["content-type"]?.toString().includes("json") ? JSON.parse(text) : text;
    if (json?.csrfToken) this.csrf = json.csrfToken;
    return { status: res.statusCode, json, headers: res.headers };
  }
}

let up: FakeServer;
let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  up = await startFakeOpenAI();
  server = await startServer({ yaml: yaml(`${up.url}/v1`) });
});
after(async () => {
  await server.close();
  await up.close();
});

const signUp = async (b: Browser, email: string, password = "correct horse battery", invitation?: string) =>
  b.call("POST", "/v1/auth/signup", { email, password, ...(invitation && { invitation }) });

describe("accounts", () => {
  it("signs a person up and in with an HttpOnly, SameSite=Lax session cookie, and out again", async () => {
    const b = new Browser(server.url, "localhost");
    const made = await signUp(b, "Ana@Example.com");
    assert.equal(made.status, 201, JSON.stringify(made.json));
    assert.equal(made.json.email, "ana@example.com", "one mailbox, one account: kept lower-cased");
    assert.equal(made.json.market, "global");
    assert.equal(made.json.role, "member");
    const cookie = [made.headers["set-cookie"]].flat()[0]!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/, "on loopback the browser reaches it over plain HTTP");
    assert.equal((await b.call("GET", "/v1/me")).json.email, "ana@example.com");

    const before = b.cookie;
    const again = await b.call("POST", "/v1/auth/login", { email: "ana@example.com", password: "correct horse battery" });
    assert.equal(again.status, 200);
    assert.notEqual(b.cookie, before, "a new session at every sign-in");
    const stale = new Browser(server.url, "localhost");
    stale.cookie = before;
    assert.equal((await stale.call("GET", "/v1/me")).json.error.code, "session_expired", "the session it replaced has ended");

    const idle = new Browser(server.url, "localhost");
    await idle.call("POST", "/v1/auth/login", { email: "ana@example.com", password: "correct horse battery" });
    await server
      .markets!.stores.get("global")!
      .db.updateTable("sessions")
      .set({ expires_at: Date.now() - 1 })
      .where("id", "!=", "")
      .execute();
    await new Promise((r) => setTimeout(r, 1_100)); // past the one-second cache of sessions
    const expired = await idle.call("GET", "/v1/me");
    assert.deepEqual([expired.status, expired.json.error.code], [401, "session_expired"], "a session past its absolute end");
    assert.match(expired.json.error.message, /sign in again/);
    await b.call("POST", "/v1/auth/login", { email: "ana@example.com", password: "correct horse battery" });

    assert.equal((await b.call("POST", "/v1/auth/logout", {})).status, 204);
    assert.equal(b.cookie, "", "the cookie is cleared");
    const out = new Browser(server.url, "localhost");
    assert.equal((await out.call("GET", "/v1/me")).status, 401);
  });

  it("answers bad input clearly, and an unknown email exactly as a wrong password", async () => {
    const b = new Browser(server.url, "localhost");
    assert.equal((await signUp(b, "not-an-email")).json.error.code, "invalid_email");
    assert.equal((await signUp(b, "short@example.com", "abc")).json.error.code, "password_too_short");
    await signUp(b, "bea@example.com");
    const wrong = await b.call("POST", "/v1/auth/login", { email: "bea@example.com", password: "not her password" });
    const unknown = await b.call("POST", "/v1/auth/login", { email: "nobody@example.com", password: "not her password" });
    assert.equal(wrong.status, 401);
    assert.deepEqual(unknown.json, wrong.json, "the same answer whether or not the email has an account");
    assert.equal(unknown.status, wrong.status);
    const reset = await b.call("POST", "/v1/auth/reset", { email: "nobody@example.com" });
    const resetKnown = await b.call("POST", "/v1/auth/reset", { email: "bea@example.com" });
    assert.deepEqual([reset.status, reset.json], [resetKnown.status, resetKnown.json], "a reset tells nothing either");
    const unknownProvider = await b.call("GET", "/v1/auth/oidc/nope/start");
    assert.equal(unknownProvider.json.error.code, "unknown_provider");
  });

  it("throttles after 5 wrong passwords for an account, known or not", async () => {
    const b = new Browser(server.url, "localhost");
    await signUp(b, "cy@example.com");
    for (const email of ["cy@example.com", "ghost@example.com"]) {
      for (let i = 0; i < 5; i++)
        assert.equal((await b.call("POST", "/v1/auth/login", { email, password: `guess number ${i}` })).status, 401);
      const sixth = await b.call("POST", "/v1/auth/login", { email, password: "correct horse battery" });
      assert.equal(sixth.status, 429, "even the right password waits: the throttle is checked first");
      assert.equal(sixth.json.error.code, "too_many_attempts");
      assert.ok(Number(sixth.headers["retry-after"]) > 0);
    }
  });

  it("refuses a session's change from another origin or without its CSRF token", async () => {
    const b = new Browser(server.url, "localhost");
    await signUp(b, "dee@example.com");
    const body = { title: "mine" };
    const evil = await b.call("POST", "/v1/conversations", body, { origin: "https://evil.example" });
    assert.equal(evil.status, 403);
    assert.equal(evil.json.error.code, "csrf_origin");
    const noToken = await b.call("POST", "/v1/conversations", body, { csrf: false });
    assert.equal(noToken.status, 403);
    assert.equal(noToken.json.error.code, "csrf_token");
    assert.equal((await b.call("POST", "/v1/conversations", body)).status, 201);
    const login = await new Browser(server.url, "localhost").call(
      "POST",
      "/v1/auth/login",
      { email: "dee@example.com", password: "correct horse battery" },
      { origin: "https://evil.example" },
    );
    assert.equal(login.json.error.code, "csrf_origin", "another site cannot sign a browser in either");
  });

  it("keeps each person's conversations, documents and images their own", async () => {
    const eve = new Browser(server.url, "localhost");
    const fay = new Browser(server.url, "localhost");
    await signUp(eve, "eve@example.com");
    await signUp(fay, "fay@example.com");
    const conv = (await eve.call("POST", "/v1/conversations", { title: "eve's", model: "gpt" })).json;
    const answer = await eve.call("POST", `/v1/conversations/${conv.id}/messages`, { content: "Hi" });
    assert.equal(answer.status, 200);
    assert.match(
      answer.json,
      /event: done\ndata: \{"id":"[^"]+","status":"done"/,
      "a signed-in person is answered: the session reaches the model call",
    );
    assert.equal((await fay.call("GET", `/v1/conversations/${conv.id}`)).status, 404);
    assert.equal((await fay.call("PATCH", `/v1/conversations/${conv.id}`, { title: "fay's now" })).status, 404);
    assert.equal((await fay.call("DELETE", `/v1/conversations/${conv.id}`)).status, 404);
    assert.deepEqual((await fay.call("GET", "/v1/conversations")).json.data, []);
    assert.equal((await eve.call("GET", `/v1/conversations/${conv.id}`)).json.conversation.title, "eve's", "untouched");

    const doc = await eve.call("POST", "/v1/knowledge/documents?name=notes.txt", Buffer.from("Eve's plans for the harvest."), {
      type: "text/plain",
    });
    assert.equal(doc.status, 201, JSON.stringify(doc.json));
    assert.equal((await fay.call("GET", `/v1/knowledge/documents/${doc.json.id}/passages`)).status, 404);
    assert.equal((await fay.call("DELETE", `/v1/knowledge/documents/${doc.json.id}`)).status, 404);
    const faysList = (await fay.call("GET", "/v1/knowledge/documents")).json.data as Array<{ id: string }>;
    assert.ok(!faysList.some((d) => d.id === doc.json.id), "Fay's list holds the shared starter documents, not Eve's");
    assert.equal((await eve.call("GET", `/v1/knowledge/documents/${doc.json.id}/passages`)).status, 200, "still Eve's");

    const image = await eve.call("POST", "/v1/images/uploads", solidPng(8, 8, [200, 40, 40]), { type: "image/png" });
    assert.equal(image.status, 201, JSON.stringify(image.json));
    assert.equal((await fay.call("GET", image.json.url)).status, 404);
    assert.equal((await fay.call("DELETE", `/v1/images/${image.json.id}`)).status, 404);
    assert.equal((await eve.call("GET", image.json.url)).status, 200, "still Eve's");
  });

  it("makes a person's own key that the OpenAI SDK uses, bound to their market", async () => {
    const b = new Browser(server.url, "localhost");
    await signUp(b, "gus@example.com");
    const made = await b.call("POST", "/v1/me/keys", { name: "laptop" });
    assert.equal(made.status, 201);
    assert.match(made.json.key, /^sk-benih-global-[0-9a-f]{48}$/);
    const listed = (await b.call("GET", "/v1/me/keys")).json.data;
    assert.deepEqual(
      listed.map((k: { name: string; hint: string }) => [k.name, k.hint]),
      [["laptop", `sk-benih-global-…${made.json.key.slice(-4)}`]],
    );
    assert.ok(!JSON.stringify(listed).includes(made.json.key), "lists never show the secret");

    const sdk = new OpenAI({ apiKey: made.json.key, baseURL: `${server.url}/v1` });
    const answer = await sdk.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "Hi" }] });
    assert.equal(answer.choices[0]!.message.content, "Hello from ok");
    const conv = await request(`${server.url}/v1/conversations`, {
      method: "POST",
      headers: { authorization: `Bearer ${made.json.key}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "by key" }),
    });
    const id = ((await conv.body.json()) as { id: string }).id;
    assert.equal((await b.call("GET", `/v1/conversations/${id}`)).json.conversation.title, "by key", "a key acts as its person");

    const atCn = await request(`${server.url}/v1/models`, { headers: { host: "cn.localhost", authorization: `Bearer ${made.json.key}` } });
    assert.equal(atCn.statusCode, 403);
    assert.equal(((await atCn.body.json()) as { error: { code: string } }).error.code, "wrong_market");

    assert.equal((await b.call("DELETE", `/v1/me/keys/${made.json.id}`)).status, 204);
    await assert.rejects(sdk.models.list(), (e: { status?: number }) => e.status === 401);

    await server.markets!.flush(); // the request log is written in batches
    const usage = (await b.call("GET", "/v1/me/usage")).json.data;
    assert.equal(usage.length, 1);
    assert.deepEqual([usage[0].model, usage[0].requests], ["gpt", 1]);
    assert.ok(usage[0].promptTokens > 0 && usage[0].costUsd > 0, "tokens and cost at benih.yaml's prices");
    const csv = await b.call("GET", "/v1/me/usage?format=csv");
    assert.match(String(csv.headers["content-type"]), /text\/csv/);
    assert.match(csv.json, /^day,model,requests,prompt_tokens,completion_tokens,cost_usd\r\n\d{4}-\d{2}-\d{2},gpt,1,/);
  });

  it("keeps a market's people in it: a cn person cannot sign in at the global host", async () => {
    const admin = await server.markets!.stores.get("cn")!.accounts.createLink({
      kind: "invite",
      email: null,
      role: "member",
      createdBy: "test",
      ttlMs: 60_000,
    });
    const cn = new Browser(server.url, "cn.localhost");
    assert.equal((await signUp(cn, "han@example.cn")).json.error.code, "invitation_required", "cn signs up by invitation");
    const made = await signUp(cn, "han@example.cn", "correct horse battery", admin.token);
    assert.equal(made.status, 201);
    assert.equal(made.json.market, "cn");
    assert.equal(
      (await signUp(new Browser(server.url, "cn.localhost"), "ivy@example.cn", "correct horse battery", admin.token)).json.error.code,
      "invitation_used",
    );

    const global = new Browser(server.url, "localhost");
    const login = await global.call("POST", "/v1/auth/login", { email: "han@example.cn", password: "correct horse battery" });
    assert.equal(login.status, 401, "the global store has no such person, and the cn store is not read");
    global.cookie = cn.cookie;
    global.csrf = cn.csrf;
    const carried = await global.call("GET", "/v1/me");
    assert.equal(carried.status, 403, "a cn session carried to the global host");
    assert.equal(carried.json.error.code, "wrong_market");
    assert.equal(await server.store.accounts.byEmail("han@example.cn"), undefined, "the home store keeps no person");
    assert.equal(await server.markets!.stores.get("global")!.accounts.byEmail("han@example.cn"), undefined);
  });

  it("refuses an expired invitation with a clear error", async () => {
    const store = server.markets!.stores.get("cn")!;
    const { token } = await store.accounts.createLink({ kind: "invite", email: null, role: "member", createdBy: "test", ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const res = await signUp(new Browser(server.url, "cn.localhost"), "late@example.cn", "correct horse battery", token);
    assert.equal(res.status, 410);
    assert.equal(res.json.error.code, "invitation_expired");
    assert.match(res.json.error.message, /expired/);
  });

  it("lets a market's admin invite, change and disable people, audited; members cannot", async () => {
    const store = server.markets!.stores.get("global")!;
    const boss = new Browser(server.url, "localhost");
    const member = new Browser(server.url, "localhost");
    const bossMe = (await signUp(boss, "boss@example.com")).json;
    const memberMe = (await signUp(member, "mo@example.com")).json;
    assert.equal((await member.call("GET", "/v1/admin/people")).status, 403, "a member is no admin");
    await store.accounts.update(bossMe.id, { role: "admin" });
    await new Promise((r) => setTimeout(r, 1_100)); // a change made in the store itself reaches cached sessions within 1 s

    const people = (await boss.call("GET", "/v1/admin/people?q=mo@")).json.data;
    assert.deepEqual(
      people.map((p: { email: string }) => p.email),
      ["mo@example.com"],
    );
    const invited = await boss.call("POST", "/v1/admin/invitations", { email: "new@example.com" });
    assert.equal(invited.status, 201);
    assert.match(invited.json.url, /\/\?invitation=[\w-]{43}$/);
    assert.equal(invited.json.mailed, false, "no SMTP configured");

    const key = (await member.call("POST", "/v1/me/keys", { name: "k" })).json.key;
    const quota = await boss.call("PATCH", `/v1/admin/people/${memberMe.id}`, { quota: { requestsPerMinute: 7 } });
    assert.deepEqual(quota.json.quota, { requestsPerMinute: 7 });
    assert.equal((await member.call("GET", "/v1/me")).json.quota.limits.requestsPerMinute, 7);
    const off = await boss.call("PATCH", `/v1/admin/people/${memberMe.id}`, { disabled: true });
    assert.ok(off.json.disabledAt > 0);
    assert.equal((await member.call("GET", "/v1/me")).status, 401, "their session ended");
    const byKey = await request(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(byKey.statusCode, 401, "their keys too");
    const relogin = await new Browser(server.url, "localhost").call("POST", "/v1/auth/login", {
      email: "mo@example.com",
      password: "correct horse battery",
    });
    assert.equal(relogin.status, 401);

    const audit = (await boss.call("GET", "/v1/admin/audit")).json.data;
    assert.deepEqual(
      audit.slice(0, 3).map((a: { action: string }) => a.action),
      ["person.update", "person.update", "invitation.create"],
    );
    assert.match(audit[0].actor, /boss@example\.com/);
    assert.equal(audit[0].detail.disabled, true);
  });
});

describe("zero-config", () => {
  it("opens as the machine's owner on loopback without accounts, whose key the SDK can use", async () => {
    const open = await startServer({
      yaml: `providers:\n  - { name: openai, type: openai, baseURL: "${up.url}/v1", apiKey: k, listModels: false }\nroutes:\n  - { model: gpt, targets: [{ provider: openai, model: ok }] }\ntraining: { localAgent: false }\n`,
    });
    try {
      const b = new Browser(open.url, new URL(open.url).host);
      const me = await b.call("GET", "/v1/me");
      assert.equal(me.status, 200);
      assert.equal(me.json.owner, true);
      assert.equal(me.json.role, "admin");
      const conv = (await b.call("POST", "/v1/conversations", { title: "owner's" })).json;
      const key = (await b.call("POST", "/v1/me/keys", { name: "sdk" })).json.key;
      assert.match(key, /^sk-benih-[0-9a-f]{48}$/);
      const byKey = await request(`${open.url}/v1/conversations/${conv.id}`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(byKey.statusCode, 200, "the owner's key sees the owner's conversations");
      const evil = await b.call("POST", "/v1/conversations", { title: "x" }, { origin: "https://evil.example" });
      assert.equal(evil.json.error.code, "csrf_origin", "another site's page cannot use the open server through the owner's browser");
      const rebound = new Browser(open.url, "evil.test"); // a page whose name was rebound to 127.0.0.1
      for (const [method, path] of [
        ["GET", "/v1/me"],
        ["POST", "/v1/me/keys"],
      ] as const) {
        const res = await rebound.call(method, path, method === "POST" ? { name: "stolen" } : undefined);
        assert.deepEqual([res.status, res.json.error?.code], [403, "host_not_local"], `${method} ${path} by a rebound name`);
      }
      assert.equal((await b.call("GET", "/v1/auth/methods")).json.required, false);
    } finally {
      await open.close();
    }
  });
});

describe("disabling a person", () => {
  it("ends their open streams and their next requests, on both instances sharing the store", async () => {
    const second = await startServer({ yaml: yaml(`${up.url}/v1`), env: { BENIH_DATA_DIR: server.dataDir } });
    try {
      const ann = new Browser(server.url, "localhost");
      const me = (await signUp(ann, "streamer@example.com")).json;
      const key = (await ann.call("POST", "/v1/me/keys", { name: "other instance" })).json.key as string;
      const operator = (await server.store.apiKeys.create("operator", "admin")).key;

      /** A streamed answer that stalls after its first chunk, until the server ends it. */
      const openStream = async (url: string, auth: Record<string, string>) => {
        const res = await request(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json", ...auth },
          body: JSON.stringify({ model: "stall", stream: true, messages: [{ role: "user", content: "Hi" }] }),
        });
        assert.equal(res.statusCode, 200);
        const it = res.body[Symbol.asyncIterator]();
        const firstChunk = String((await it.next()).value);
        assert.match(firstChunk, /data: /, "the stream has begun");
        // Wrapped: an async function returning a promise would wait for it.
        const ended = (async () => {
          try {
            while (!(await it.next()).done);
          } catch {
            // cut off: the socket closed under it
          }
          return "ended";
        })();
        return { ended };
      };
      const onFirst = await openStream(server.url, { cookie: ann.cookie, "x-csrf-token": ann.csrf });
      const onSecond = await openStream(second.url, { authorization: `Bearer ${key}` });

      const off = await request(`${server.url}/v1/admin/people/${me.id}`, {
        method: "PATCH",
        headers: { host: "localhost", authorization: `Bearer ${operator}`, "content-type": "application/json" },
        body: JSON.stringify({ disabled: true }),
      });
      assert.equal(off.statusCode, 200);
      const within = (p: Promise<string>) => Promise.race([p, new Promise<string>((r) => setTimeout(() => r("still open"), 5_000))]);
      assert.deepEqual(await Promise.all([within(onFirst.ended), within(onSecond.ended)]), ["ended", "ended"]);
      assert.equal((await ann.call("GET", "/v1/me")).status, 401);
      const next = await request(`${second.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(next.statusCode, 401);
    } finally {
      await second.close();
    }
  });
});

describe("keys made before accounts", () => {
  it("become a person each at the next start, who keeps what the key owned", async () => {
    const dir = mkdtempSync(join(tmpdir(), "benih-adopt-"));
    try {
      const before = await startServer({ yaml: yaml(`${up.url}/v1`), env: { BENIH_DATA_DIR: dir } });
      const legacy = await before.store.apiKeys.create("old laptop", "user", "global");
      // Made before this store had accounts (a key made since is an operator's business, and stays a key).
      await before.store.db
        .updateTable("api_keys")
        .set({ created_at: Date.UTC(2026, 0, 1) })
        .where("id", "=", legacy.id)
        .execute();
      const newer = await before.store.apiKeys.create("made since", "user", "global");
      const made = await request(`${before.url}/v1/conversations`, {
        method: "POST",
        headers: { authorization: `Bearer ${legacy.key}`, "content-type": "application/json" },
        body: JSON.stringify({ title: "from before" }),
      });
      const conv = (await made.body.json()) as { id: string };
      const asked = await request(`${before.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${legacy.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt", messages: [{ role: "user", content: "Hi" }] }),
      });
      assert.equal(asked.statusCode, 200);
      await asked.body.text();
      await before.close();

      const after = await startServer({ yaml: yaml(`${up.url}/v1`), env: { BENIH_DATA_DIR: dir } });
      try {
        const get = (path: string) => request(`${after.url}${path}`, { headers: { authorization: `Bearer ${legacy.key}` } });
        const me = (await (await get("/v1/me")).body.json()) as { id: string; name: string; market: string; role: string };
        assert.deepEqual(
          [me.id, me.name, me.market, me.role],
          [legacy.id, "old laptop", "global", "member"],
          "a person of the key's market",
        );
        const kept = await get(`/v1/conversations/${conv.id}`);
        assert.equal(kept.statusCode, 200, "what the key owned is the person's");
        await kept.body.text();
        const usage = (await (await get("/v1/me/usage")).body.json()) as { data: Array<{ requests: number }> };
        assert.deepEqual(
          usage.data.map((u) => u.requests),
          [1],
          "the key's requests from before are the person's usage",
        );
        const since = await request(`${after.url}/v1/me`, { headers: { authorization: `Bearer ${newer.key}` } });
        assert.equal(since.statusCode, 403, "a key made after accounts is no person's");
        await since.body.text();
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("beyond loopback", () => {
  it("marks the session cookie Secure", async () => {
    const wide = await startServer({ yaml: "server: { host: 0.0.0.0 }\nauth: { signup: open }\ntraining: { localAgent: false }\n" });
    try {
      const port = new URL(wide.url).port;
      const b = new Browser(`http://127.0.0.1:${port}`, `127.0.0.1:${port}`);
      const made = await signUp(b, "far@example.com");
      assert.equal(made.status, 201, JSON.stringify(made.json));
      assert.match(
        [made.headers["set-cookie"]].flat()[0]!,
        /^__Host-benih_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/,
      );
    } finally {
      await wide.close();
    }
  });
});
