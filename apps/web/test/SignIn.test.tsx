import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SignInMethods } from "@benih/contracts";
import { type AuthQuery, readAuthQuery } from "../src/account/authQuery.ts";
import { SignIn } from "../src/account/SignIn.tsx";
import { hasApiKey, setApiKey, setCsrfToken } from "../src/api/http.ts";
import { fakeFetch } from "./sse-body.ts";

const json = (status: number, body?: unknown) => () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const me = { id: "u1", email: "wei@example.cn", name: "Wei", market: "cn", role: "member", owner: false, createdAt: 1, csrfToken: "t" };
const methods = (over: Partial<SignInMethods> = {}): SignInMethods => ({
  required: true,
  signup: "open",
  password: true,
  oidc: [],
  ...over,
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
  setCsrfToken(undefined);
});

function screenFor(props: { locale?: "zh" | "en" | "id"; methods?: SignInMethods; query?: AuthQuery; reason?: string } = {}) {
  const onSignedIn = vi.fn();
  const onUseKey = vi.fn();
  render(
    <SignIn
      locale={props.locale ?? "en"}
      brand={{ name: "Benih", logo: undefined }}
      methods={props.methods ?? methods()}
      query={props.query ?? {}}
      {...(props.reason && { reason: props.reason })}
      onSignedIn={onSignedIn}
      onUseKey={onUseKey}
    />,
  );
  return { onSignedIn, onUseKey };
}
const type = (id: string, value: string) => fireEvent.change(screen.getByTestId(id), { target: { value } });

describe("SignIn", () => {
  it("signs in with labelled, autocompleting fields, dropping a stored key that would shadow the session", async () => {
    const { fetch, requests } = fakeFetch(json(200, me));
    vi.stubGlobal("fetch", fetch);
    setApiKey("sk-benih-cn-old");
    const { onSignedIn } = screenFor({ locale: "zh" });
    expect(screen.getByRole("heading").textContent).toBe("登录Benih");
    const email = screen.getByLabelText("邮箱");
    const password = screen.getByLabelText("密码");
    expect(email.getAttribute("autocomplete")).toBe("email");
    expect(password.getAttribute("autocomplete")).toBe("current-password");
    type("signin-email", " wei@example.cn ");
    type("signin-password", "correct horse");
    fireEvent.click(screen.getByTestId("signin-submit"));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(requests[0]!.url).toBe("/v1/auth/login");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({ email: "wei@example.cn", password: "correct horse" });
    expect(hasApiKey()).toBe(false);
  });

  it("says a refusal in an alert, in the reader's language", async () => {
    vi.stubGlobal("fetch", fakeFetch(json(401, { error: { message: "Incorrect email or password.", code: "invalid_credentials" } })).fetch);
    const { onSignedIn } = screenFor({ locale: "id" });
    type("signin-email", "a@b.id");
    type("signin-password", "salah-salah");
    fireEvent.click(screen.getByTestId("signin-submit"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Email atau kata sandi salah.");
    expect(alert.getAttribute("data-testid")).toBe("signin-error");
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("offers creating an account only where sign-up is open, with the new password's minimum", () => {
    screenFor({ methods: methods({ signup: "invite" }) });
    expect(screen.queryByTestId("signin-switch")).toBeNull();
    expect(screen.getByText("New accounts here are by invitation.")).toBeTruthy();
    cleanup();
    screenFor();
    fireEvent.click(screen.getByTestId("signin-switch"));
    const password = screen.getByTestId("signin-password");
    expect(password.getAttribute("autocomplete")).toBe("new-password");
    expect(password.getAttribute("minlength")).toBe("8");
    expect(screen.getByText("At least 8 characters.")).toBeTruthy();
    expect(screen.getByTestId("signin-submit").textContent).toBe("Create account");
  });

  it("signs up with the invitation from the link, even where sign-up is by invitation", async () => {
    const { fetch, requests } = fakeFetch(json(201, me));
    vi.stubGlobal("fetch", fetch);
    const { onSignedIn } = screenFor({ methods: methods({ signup: "invite" }), query: { invitation: "inv_9" } });
    expect(screen.getByText("You were invited: create your account to join.")).toBeTruthy();
    type("signin-email", "new@example.cn");
    type("signin-password", "long enough");
    fireEvent.click(screen.getByTestId("signin-submit"));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect(requests[0]!.url).toBe("/v1/auth/signup");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({ email: "new@example.cn", password: "long enough", invitation: "inv_9" });
  });

  it("asks for a reset link and answers the same whether or not the address has an account", async () => {
    const { fetch, requests } = fakeFetch(json(202));
    vi.stubGlobal("fetch", fetch);
    screenFor();
    fireEvent.click(screen.getByText("Forgot password?"));
    expect(screen.queryByTestId("signin-password")).toBeNull();
    type("signin-email", "who@example.cn");
    fireEvent.click(screen.getByTestId("signin-submit"));
    expect((await screen.findByRole("status")).textContent).toMatch(/^If an account exists for that address/);
    expect(requests[0]!.url).toBe("/v1/auth/reset");
  });

  it("sets a new password from a reset link, then asks to sign in with it", async () => {
    const { fetch, requests } = fakeFetch(json(204));
    vi.stubGlobal("fetch", fetch);
    screenFor({ query: { reset: "rst_7" } });
    expect(screen.queryByTestId("signin-email")).toBeNull();
    expect(screen.getByLabelText("New password").getAttribute("autocomplete")).toBe("new-password");
    type("signin-password", "a new secret");
    fireEvent.click(screen.getByTestId("signin-submit"));
    expect((await screen.findByRole("status")).textContent).toBe("Your password was changed. Sign in with it.");
    expect(JSON.parse(requests[0]!.init.body as string)).toEqual({ token: "rst_7", password: "a new secret" });
    expect(screen.getByTestId("signin-email")).toBeTruthy();
  });

  it("links each provider, says a provider's failure in the app's words, and offers a key instead", () => {
    const { onUseKey } = screenFor({
      locale: "id",
      methods: methods({ oidc: [{ id: "wecom", name: "WeCom" }] }),
      query: readAuthQuery("https://x.test/?signin_error=oidc_code_rejected&message=The%20provider%20refused.").query,
    });
    expect(screen.getByText("Lanjutkan dengan WeCom").getAttribute("href")).toBe("/v1/auth/oidc/wecom/start");
    expect(screen.getByTestId("signin-error").textContent).toBe(
      "Penyedia layanan masuk menolak proses masuk ini (mungkin sudah pernah dipakai). Mulai lagi.",
    );
    expect(document.body.textContent).not.toContain("The provider refused.");
    fireEvent.click(screen.getByText("Pakai kunci API saja"));
    expect(onUseKey).toHaveBeenCalled();
  });

  it("never shows the text an address brings with a sign-in error, whatever its code", () => {
    const bait = "Your account is locked, call +62 811 0000 to unlock it";
    for (const code of ["x", "account_disabled", "oidc_idp_error", "constructor"]) {
      const href = `https://chat.example.id/?signin_error=${code}&message=${encodeURIComponent(bait)}`;
      screenFor({ query: readAuthQuery(href).query });
      const alert = screen.getByRole("alert");
      expect(document.body.textContent, code).not.toContain("locked");
      expect(document.body.innerHTML, code).not.toContain("+62");
      expect(alert.textContent, code).toBe(
        code === "account_disabled"
          ? "This account is disabled: ask an admin."
          : code === "oidc_idp_error"
            ? "The sign-in provider did not sign you in."
            : "Signing in did not complete. Try again.",
      );
      cleanup();
    }
  });

  it("carries the invitation on the single sign-on links, so an invited person can join a market that has only those", () => {
    const invitation = "inv_9/a+b&next=/evil";
    screenFor({
      locale: "zh",
      methods: methods({
        password: false,
        signup: "invite",
        oidc: [
          { id: "wecom", name: "WeCom" },
          { id: "g suite", name: "Google" },
        ],
      }),
      query: { invitation },
    });
    expect(screen.getByText("你收到了邀请：创建账号即可加入。")).toBeTruthy();
    const wecom = new URL(screen.getByTestId("signin-oidc-wecom").getAttribute("href")!, "https://x.test");
    expect(wecom.pathname).toBe("/v1/auth/oidc/wecom/start");
    expect([...wecom.searchParams]).toEqual([["invitation", invitation]]);
    expect(screen.getByText("使用 Google 继续").getAttribute("href")).toBe(
      "/v1/auth/oidc/g%20suite/start?invitation=inv_9%2Fa%2Bb%26next%3D%2Fevil",
    );
    cleanup();
    screenFor({ methods: methods({ oidc: [{ id: "wecom", name: "WeCom" }] }) });
    expect(screen.getByTestId("signin-oidc-wecom").getAttribute("href")).toBe("/v1/auth/oidc/wecom/start");
  });

  it("says why sign-in is asked again after a session ends", () => {
    screenFor({ reason: "session_expired", locale: "zh" });
    expect(screen.getByRole("alert").textContent).toBe("登录已过期，请重新登录。");
  });
});
