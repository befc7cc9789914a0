import { afterEach, describe, expect, it, vi } from "vitest";
import { authErrorText, errorText } from "../src/account/errors.ts";
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
    expect(authErrorText("zh", "oidc_state_mismatch", "The sign-in took too long; start it again.")).toBe(
      "The sign-in took too long; start it again.",
    );
    expect(authErrorText("id", undefined, "HTTP 502 Bad Gateway")).toBe("HTTP 502 Bad Gateway");
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

describe("readAuthQuery", () => {
  it("takes an invitation out of the address and keeps the rest", () => {
    expect(readAuthQuery("https://chat.example.cn/?invitation=inv_abc&c=c42#top")).toEqual({
      query: { invitation: "inv_abc" },
      rest: "/?c=c42#top",
    });
  });

  it("reads a reset token, and a failed provider sign-in with its message", () => {
    expect(readAuthQuery("https://x.test/?reset=rst_1").query).toEqual({ reset: "rst_1" });
    const failed = readAuthQuery("https://x.test/?signin_error=wrong_market&message=Akun%20ini%20milik%20situs%20lain");
    expect(failed).toEqual({ query: { signinError: { code: "wrong_market", message: "Akun ini milik situs lain" } }, rest: "/" });
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
