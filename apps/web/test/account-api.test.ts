import { afterEach, describe, expect, it, vi } from "vitest";
import { authErrorText, errorText, SsoFailure, ssoFailureText } from "../src/account/errors.ts";
import { readAuthQuery } from "../src/account/authQuery.ts";
import { usageByDay } from "../src/account/usageByDay.ts";
import { logIn, logOut, whoami } from "../src/api/account.ts";
import { conversations } from "../src/api/conversations.ts";
import { authHeaders, NetworkError, setApiKey, setCsrfToken } from "../src/api/http.ts";
import { fakeFetch } from "./sse-body.ts";

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const me = (csrfToken?: string) => ({
  id: "u1",
  email: "siti@example.id",
  name: "Siti",
  market: "id",
  role: "member",
  owner: false,
  createdAt: 1,
  ...(csrfToken && { csrfToken }),
});
const sent = (init: RequestInit) => init.headers as Record<string, string>;

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
  setCsrfToken(undefined);
});

describe("the session's CSRF token", () => {
  it("goes with every change the app sends, and with no read", async () => {
    const { fetch, requests } = fakeFetch(
      json(200, me("tok-1")),
      json(200, { data: [] }),
      json(201, { id: "c1" }),
      json(200, {}),
      json(200, {}),
      json(204, null),
    );
    vi.stubGlobal("fetch", fetch);
    expect(await whoami()).toMatchObject({ kind: "me", me: { email: "siti@example.id" } });
    await conversations.list();
    await conversations.create("echo");
    await conversations.update("c1", { title: "x" });
    await conversations.rate("c1", "m1", { rating: "up" });
    await conversations.remove("c1");
    const token = requests.map((r) => `${(r.init.method ?? "GET").toUpperCase()} ${sent(r.init)["x-csrf-token"] ?? "-"}`);
    expect(token).toEqual(["GET -", "GET -", "POST tok-1", "PATCH tok-1", "PUT tok-1", "DELETE tok-1"]);
  });

  it("comes from the sign-in answer, is sent by an upload that does not name its method, and is gone after sign-out", async () => {
    const { fetch, requests } = fakeFetch(json(200, me("tok-2")), json(204, null));
    vi.stubGlobal("fetch", fetch);
    expect(authHeaders("POST")).toEqual({});
    await logIn("siti@example.id", "kata-sandi-panjang");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({ email: "siti@example.id", password: "kata-sandi-panjang" });
    expect(authHeaders()).toEqual({ "x-csrf-token": "tok-2" });
    expect(authHeaders("get")).toEqual({});
    expect(authHeaders("delete")).toEqual({ "x-csrf-token": "tok-2" });
    await logOut(true);
    expect(sent(requests[1]!.init)["x-csrf-token"]).toBe("tok-2");
    expect(JSON.parse(requests[1]!.init.body as string)).toEqual({ everywhere: true });
    expect(authHeaders("POST")).toEqual({});
  });

  it("is sent beside a stored API key, which still goes with reads", () => {
    setApiKey("sk-benih-id-abc");
    setCsrfToken("tok-3");
    expect(authHeaders("GET")).toEqual({ authorization: "Bearer sk-benih-id-abc" });
    expect(authHeaders("PATCH")).toEqual({ authorization: "Bearer sk-benih-id-abc", "x-csrf-token": "tok-3" });
  });
});

describe("whoami", () => {
  it("tells sign-in from a missing key by the 401's code, and goes on without accounts where /v1/me is not found", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch(
        json(401, { error: { message: "Sign in", code: "sign_in_required" } }),
        json(401, { error: { message: "You didn't provide an API key.", code: "missing_api_key" } }),
        json(404, { error: { message: "not found" } }),
      ).fetch,
    );
    expect(await whoami()).toEqual({ kind: "refused", code: "sign_in_required", message: "Sign in" });
    expect(await whoami()).toMatchObject({ kind: "refused", code: "missing_api_key" });
    expect(await whoami()).toEqual({ kind: "unknown" });
  });
});

describe("sign-in errors", () => {
  it("say the common codes in the reader's language, with the password's minimum and the wait in minutes", async () => {
    expect(authErrorText("zh", "invalid_credentials", "Wrong email or password.")).toBe("邮箱或密码错误。");
    expect(authErrorText("id", "password_too_short", "too short")).toBe("Kata sandi harus minimal 8 karakter.");
    expect(authErrorText("en", "too_many_attempts", "slow down", 61)).toBe("Too many attempts. Try again in 2 min.");
    expect(authErrorText("en", "too_many_attempts", "slow down")).toBe("Too many attempts. Wait a while and try again.");
    expect(authErrorText("zh", "wrong_market", "x")).toBe("此账号属于本服务的另一个站点，请在那里登录。");
  });

  it("show the server's own message for a code the app does not know", () => {
    expect(authErrorText("zh", "model_not_found", "The model gpt-x does not exist.")).toBe("The model gpt-x does not exist.");
    expect(authErrorText("id", undefined, "HTTP 502 Bad Gateway")).toBe("HTTP 502 Bad Gateway");
    expect(authErrorText("en", "constructor", "Not a code of ours.")).toBe("Not a code of ours.");
  });

  it("say an invitation meant for another address", () => {
    expect(authErrorText("en", "invitation_email_mismatch", "x")).toBe(
      "This invitation is for another email address. Use the address it was sent to.",
    );
  });

  it("carry retry-after from a 429, and say an unreachable server plainly", async () => {
    vi.stubGlobal(
      "fetch",
      fakeFetch(json(429, { error: { message: "Too many attempts", code: "too_many_attempts" } }, { "retry-after": "300" })).fetch,
    );
    const refused = await logIn("a@b.c", "x").catch((e: unknown) => e);
    expect(errorText("id", refused)).toBe("Terlalu banyak percobaan. Coba lagi dalam 5 menit.");
    expect(errorText("en", new NetworkError("Failed to fetch"))).toBe(
      "The server could not be reached. Check the connection and try again.",
    );
  });
});

describe("single sign-on failures", () => {
  const en: Record<string, string> = {
    oidc_state_missing: "The sign-in took too long or was started in another browser. Start again.",
    oidc_state_mismatch: "This sign-in does not match the one started in this browser. Start again.",
    oidc_code_rejected: "The sign-in provider refused this sign-in (it may have been used already). Start again.",
    oidc_id_token_invalid:
      "The sign-in provider's answer could not be trusted (it may have expired; check this computer's clock). Start again.",
    oidc_idp_error: "The sign-in provider did not sign you in.",
    oidc_discovery_failed: "The sign-in provider cannot be reached right now. Try again later.",
    unknown_provider: "This sign-in provider is not offered here. Choose another way to sign in.",
    signup_closed: "You have no account here yet: ask an admin for an invitation.",
    account_exists: "An account with this email already exists here: sign in with its password, or reset it.",
    account_disabled: "This account is disabled: ask an admin.",
    invitation_unknown: "This invitation link is not valid.",
    invitation_expired: "This invitation has expired. Ask for a new one.",
    invitation_used: "This invitation was already used. Sign in instead.",
    invitation_email_mismatch: "This invitation is for another email address. Use the address it was sent to.",
  };
  const generic = {
    en: "Signing in did not complete. Try again.",
    zh: "登录未完成，请重试。",
    id: "Proses masuk tidak selesai. Coba lagi.",
  };

  it("say each code the server sends with the app's own text, in every language", () => {
    for (const [code, text] of Object.entries(en)) expect(ssoFailureText("en", code), code).toBe(text);
    for (const locale of ["zh", "id"] as const) {
      const said = Object.keys(en).map((code) => ssoFailureText(locale, code));
      for (const [i, text] of said.entries()) {
        expect(text, `${locale} ${Object.keys(en)[i]}`).not.toBe(generic[locale]);
        expect(text).not.toBe(Object.values(en)[i]);
      }
    }
    expect(ssoFailureText("zh", "oidc_state_missing")).toBe("登录耗时过长，或是在另一个浏览器中发起的。请重新开始。");
    expect(ssoFailureText("id", "account_disabled")).toBe("Akun ini dinonaktifkan: hubungi admin.");
  });

  it("say any other code with one generic text, never a word of the address", () => {
    for (const locale of ["en", "zh", "id"] as const)
      for (const code of ["account_locked", "oidc_failed", "constructor", "__proto__", "toString"])
        expect(ssoFailureText(locale, code), `${locale} ${code}`).toBe(generic[locale]);
    expect(errorText("en", new SsoFailure("call_us_now"))).toBe(generic.en);
    expect(errorText("zh", new SsoFailure("oidc_idp_error"))).toBe("登录服务没有让你登录。");
  });
});

describe("readAuthQuery", () => {
  it("takes an invitation out of the address and keeps the rest", () => {
    expect(readAuthQuery("https://chat.example.cn/?invitation=inv_abc&c=c42#top")).toEqual({
      query: { invitation: "inv_abc" },
      rest: "/?c=c42#top",
    });
  });

  it("reads a reset token, and a failed provider sign-in's code only, dropping its message from the address", () => {
    expect(readAuthQuery("https://x.test/?reset=rst_1").query).toEqual({ reset: "rst_1" });
    const failed = readAuthQuery("https://x.test/?signin_error=account_locked&message=Your%20account%20is%20locked%2C%20call%20us&c=c7");
    expect(failed).toEqual({ query: { signinError: { code: "account_locked" } }, rest: "/?c=c7" });
    expect(JSON.stringify(failed)).not.toContain("locked, call");
  });

  it("leaves an address without them alone, and a `message` that came without an error", () => {
    expect(readAuthQuery("https://x.test/?c=c1&message=hi")).toEqual({ query: {}, rest: null });
    expect(readAuthQuery("https://x.test/?invitation=&c=c1")).toEqual({ query: {}, rest: "/?c=c1" });
  });
});

describe("usageByDay", () => {
  it("adds up each day's models, newest day first, and the period's totals", () => {
    const row = (day: string, model: string, requests: number, cost: number) => ({
      day,
      model,
      requests,
      promptTokens: requests * 100,
      completionTokens: requests * 10,
      costUsd: cost,
    });
    const { days, total } = usageByDay([
      row("2025-03-01", "deepseek-chat", 2, 0.01),
      row("2025-03-02", "qwen-plus", 1, 0.002),
      row("2025-03-01", "qwen-plus", 3, 0.03),
    ]);
    expect(days.map((d) => [d.day, d.requests, d.tokens])).toEqual([
      ["2025-03-02", 1, 110],
      ["2025-03-01", 5, 550],
    ]);
    expect(total.requests).toBe(6);
    expect(total.tokens).toBe(660);
    expect(total.costUsd).toBeCloseTo(0.042);
  });
});
