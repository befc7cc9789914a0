import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import OpenAI from "openai";
import { startFakeOpenAI, type FakeServer } from "@benih/fake-upstreams";
import { startServer } from "../harness.ts";
import { browserSkip, launchChromium, shots } from "./chromium.ts";

// People with accounts in the web app: signing up, chatting, making a key the OpenAI SDK uses, signing out and in
// again; another person who sees none of it; a cn person who is no one at the global host. Two markets picked by
// host (Chromium sends *.localhost to this machine): cn takes new people by invitation, global takes anyone.
const skip = browserSkip;
const answer = "Jakarta is the capital of Indonesia.";
const password = "correct horse battery";

const market = (id: string, hosts: string, locale: string, brand: string, auth = "") => `
  - id: ${id}
    region: ${id}
    displayName: { en: ${brand}, zh: ${brand} }
    brand: { name: { en: ${brand}, zh: ${brand} }, colors: { primary: "#1f6feb" } }
    defaultLocale: ${locale}
    locales: [${locale === "zh" ? "zh, en" : "en, zh"}]
    hosts: [${hosts}]
    allow: [openai/*]
    policy: { refusal: { en: "No.", zh: "不行。" } }${auth}`;

const yaml = (upstream: string) => `
auth: { signup: open }
providers:
  - { name: openai, type: openai, baseURL: "${upstream}", apiKey: k, listModels: false }
routes:
  - { model: gpt, targets: [{ provider: openai, model: "say:${answer}" }] }
training: { localAgent: false }
markets:${market("cn", "cn.localhost", "zh", "种子", "\n    auth: { signup: invite }")}${market("global", "localhost", "en", "Benih")}
`;

const answered = (page: Page) =>
  page.getByTestId("assistant-turn").and(page.locator('[data-state="done"]')).first().waitFor({ timeout: 15_000 });

/** Creates an account on the sign-in screen; resolves once the app (its composer) is shown for the new session. */
async function signUp(page: Page, email: string) {
  await page.getByTestId("signin-form").waitFor();
  // An invitation link opens the screen in sign-up mode already; otherwise the switch's link leads there.
  if ((await page.getByTestId("signin-switch").textContent())?.match(/Create|创建/)) await page.getByTestId("signin-switch").click();
  await page.getByTestId("signin-email").fill(email);
  await page.getByTestId("signin-password").fill(password);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("input").waitFor();
}

/** A call from the page itself (same origin, its cookie), with the session's CSRF token as the app sends it. */
function fromPage(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; code?: string }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await fetch("/v1/me");
      const csrf = me.ok ? ((await me.json()) as { csrfToken: string }).csrfToken : "";
      const res = await fetch(path, {
        method,
        headers: { "x-csrf-token": csrf, ...(body !== undefined && { "content-type": "application/json" }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      type Refusal = { error?: { code?: string } };
      const json: Refusal = res.headers.get("content-type")?.includes("json") ? ((await res.json()) as Refusal) : {};
      return { status: res.status, code: json.error?.code };
    },
    { method, path, body },
  );
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === "benih_session");

describe("accounts in the web app, in Chromium", { skip }, () => {
  let upstream: FakeServer;
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  /** The server's address at a market's host. */
  let at: (host: string) => string;

  before(async () => {
    upstream = await startFakeOpenAI({ models: [] });
    server = await startServer({ yaml: yaml(`${upstream.url}/v1`) });
    at = (host) => server.url.replace("127.0.0.1", host);
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  /** A browser of its own (cookies, storage); a step that never comes fails in seconds, not in Playwright's 30. */
  async function person(locale: string): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
    context.setDefaultTimeout(8_000);
    return context;
  }

  let conversationId: string;
  let aContext: BrowserContext;
  let a: Page;

  it("signs a person up, answers them, makes a key the OpenAI SDK uses, and signs them out", async () => {
    aContext = await person("en-US");
    a = await aContext.newPage();
    await a.goto(at("localhost"));
    await a.getByRole("heading", { name: "Sign in to Benih", exact: true }).waitFor();
    await a.screenshot({ path: `${shots}/accounts-signin.png` });
    await signUp(a, "ana@example.com");
    assert.ok(await sessionCookie(aContext), "the session is a cookie");

    await a.getByTestId("input").fill("What is the capital of Indonesia?");
    await a.getByTestId("input").press("Enter");
    await answered(a);
    assert.equal(await a.getByTestId("assistant-turn").locator(".md").textContent(), answer);
    conversationId = new URL(a.url()).searchParams.get("c")!;
    assert.ok(conversationId, "the conversation is in the address");
    await a.getByTestId("conversation-item").first().waitFor();
    await a.screenshot({ path: `${shots}/accounts-thread.png` });

    await a.getByTestId("open-settings").click();
    const settings = a.getByTestId("settings");
    assert.match((await settings.getByTestId("account").textContent())!, /ana@example\.com/);
    await settings.getByTestId("key-name").fill("laptop scripts");
    await settings.getByTestId("key-create").click();
    const secret = (await settings.getByTestId("key-secret").textContent())!;
    assert.match(secret, /^sk-benih-global-[0-9a-f]{48}$/);
    await settings.getByTestId("key-row").first().waitFor();
    assert.doesNotMatch((await settings.getByTestId("key-row").first().textContent())!, new RegExp(secret), "the list shows a hint only");
    await settings.locator(".key-secret").evaluate((e) => e.scrollIntoView({ block: "center" }));
    await a.screenshot({ path: `${shots}/accounts-settings-key.png` });

    const sdk = new OpenAI({ apiKey: secret, baseURL: `${at("localhost")}/v1` });
    const completion = await sdk.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "Hi" }] });
    assert.equal(completion.choices[0]!.message.content, answer, "the key answers as its person");

    // Ana reads in Chinese from now on: the choice is kept in this browser, so the sign-in screen follows it.
    await settings.getByTestId("settings-locale").selectOption("zh");
    await settings.getByRole("heading", { name: "我的 API 密钥" }).waitFor();
    await settings.getByTestId("account").evaluate((e) => e.scrollIntoView({ block: "start" }));
    await a.screenshot({ path: `${shots}/accounts-settings-zh.png` });
    await settings.getByTestId("sign-out").click();
    await a.getByTestId("signin-form").waitFor();
    assert.equal(await sessionCookie(aContext), undefined, "the cookie is gone");
    assert.equal((await a.request.get(`${at("localhost")}/v1/me`)).status(), 401);
    await a.getByRole("heading", { name: "登录Benih", exact: true }).waitFor();
  });

  it("shows another person none of the first one's conversations, and lets them change none", async () => {
    const context = await person("en-US");
    const b = await context.newPage();
    await b.goto(at("localhost"));
    await signUp(b, "bea@example.com");
    await b.getByTestId("no-conversations").waitFor();
    assert.equal(await b.getByTestId("conversation-item").count(), 0, "Bea's list is empty");

    await b.goto(`${at("localhost")}/?c=${conversationId}`);
    await b.getByTestId("input").waitFor();
    await b.getByTestId("error").waitFor();
    assert.equal(await b.getByText(answer).count(), 0, "Ana's answer is not shown");
    assert.equal(await b.getByTestId("assistant-turn").count(), 0);
    assert.equal((await fromPage(b, "GET", `/v1/conversations/${conversationId}`)).status, 404);
    assert.deepEqual(await fromPage(b, "PATCH", `/v1/conversations/${conversationId}`, { title: "Bea's now" }), {
      status: 404,
      code: "not_found",
    });
    assert.deepEqual(await fromPage(b, "DELETE", `/v1/conversations/${conversationId}`), { status: 404, code: "not_found" });
    assert.equal((await fromPage(b, "POST", "/v1/conversations", { title: "Bea's own" })).status, 201, "the same calls work on her own");
    await context.close();
  });

  it("keeps a cn person out of the global host", async () => {
    const { token } = await server.markets!.stores.get("cn")!.accounts.createLink({
      kind: "invite",
      email: null,
      role: "member",
      createdBy: "test",
      ttlMs: 60_000,
    });
    const context = await person("zh-CN");
    const cn = await context.newPage();
    await cn.goto(`${at("cn.localhost")}/?invitation=${token}`);
    await cn.getByRole("heading", { name: "创建种子账号", exact: true }).waitFor();
    await cn.getByText("你收到了邀请：创建账号即可加入。").waitFor();
    assert.doesNotMatch(cn.url(), /invitation/, "the token is taken out of the address");
    await cn.screenshot({ path: `${shots}/accounts-invited-zh.png` });
    await signUp(cn, "han@example.cn");
    assert.equal((await fromPage(cn, "GET", "/v1/me")).status, 200);

    const global = await context.newPage();
    await global.goto(at("localhost"));
    await global.getByTestId("signin-email").fill("han@example.cn");
    await global.getByTestId("signin-password").fill(password);
    await global.getByTestId("signin-submit").click();
    assert.equal(await global.getByTestId("signin-error").textContent(), "Wrong email or password.");
    await global.screenshot({ path: `${shots}/accounts-signin-error-wrong-market.png` });
    assert.equal((await global.request.get(`${at("localhost")}/v1/me`)).status(), 401, "no session at the global host");
    assert.deepEqual(
      (await context.cookies(at("localhost"))).filter((c) => c.name === "benih_session" && c.domain === "localhost"),
      [],
    );
    await context.close();
  });

  it("refuses a wrong password in the reader's language, then lets the right one in", async () => {
    await a.getByTestId("signin-email").fill("ana@example.com");
    await a.getByTestId("signin-password").fill("not my password");
    await a.getByTestId("signin-submit").click();
    assert.equal(await a.getByTestId("signin-error").textContent(), "邮箱或密码错误。");
    assert.equal(await a.getByTestId("signin-error").getAttribute("role"), "alert");
    await a.screenshot({ path: `${shots}/accounts-signin-error-zh.png` });
    assert.equal(await sessionCookie(aContext), undefined);

    await a.getByTestId("signin-password").fill(password);
    await a.getByTestId("signin-submit").click();
    await a.getByTestId("conversation-item").first().waitFor();
    assert.equal(await a.getByTestId("conversation-item").count(), 1, "Ana's conversation is still hers");
    await aContext.close();
  });
});
