import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SMTPServer } from "smtp-server";
import { request } from "undici";
import { startServer } from "./harness.ts";
import { marketYaml } from "./market-yaml.ts";

// Password resets and invitations by mail, through a real SMTP server on loopback: the link in the mail is what a
// person follows, and it works once.

interface Mail {
  to: string[];
  /** The raw message, quoted-printable undone (links are what the tests read). */
  text: string;
}

const mails: Mail[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, session, done) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      mails.push({ to: session.envelope.rcptTo.map((r) => r.address), text: raw.replace(/=\r\n/g, "").replace(/=3D/g, "=") });
      done();
    });
  },
});

async function mailTo(address: string, ms = 5_000): Promise<Mail> {
  const until = Date.now() + ms;
  for (;;) {
    const found = mails.find((m) => m.to.includes(address));
    if (found) return found;
    if (Date.now() > until) assert.fail(`no mail reached ${address}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  const port = await new Promise<number>((resolve) =>
    smtp.listen(0, "127.0.0.1", () => resolve((smtp.server.address() as { port: number }).port)),
  );
  server = await startServer({
    yaml: `auth: { signup: invite }\nsmtp: { url: "smtp://127.0.0.1:${port}", from: "benih <no-reply@benih.test>" }\ntraining: { localAgent: false }\nmarkets:${marketYaml("global", "localhost")}\n`,
  });
});
after(async () => {
  await server.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
  const res = await request(`${server.url}${path}`, {
    method: "POST",
    headers: { host: "localhost", "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    json: text ? JSON.parse(text) : undefined,
    cookie: [res.headers["set-cookie"]].flat()[0]?.split(";")[0],
  };
};

describe("account mail", () => {
  it("mails an invitation whose link makes an account once", async () => {
    const operator = (await server.store.apiKeys.create("operator", "admin")).key;
    const invited = await post("/v1/admin/invitations", { email: "new@example.com" }, { authorization: `Bearer ${operator}` });
    assert.equal(invited.status, 201);
    assert.equal(invited.json.mailed, true);
    const mail = await mailTo("new@example.com");
    const token = /\?invitation=([\w-]{43})/.exec(mail.text)?.[1];
    assert.ok(token, "the link is in the mail");
    assert.equal(token, new URL(invited.json.url).searchParams.get("invitation"), "the same link the admin was shown");
    const other = await post("/v1/auth/signup", { email: "someone@example.com", password: "correct horse battery", invitation: token });
    assert.equal(other.json.error.code, "invitation_email_mismatch", "an invitation to an address is for that address");
    const joined = await post("/v1/auth/signup", { email: "new@example.com", password: "correct horse battery", invitation: token });
    assert.equal(joined.status, 201);
  });

  it("mails a reset link that sets a new password once and ends the old sessions", async () => {
    const store = server.markets!.stores.get("global")!;
    const { token: invite } = await store.accounts.createLink({
      kind: "invite",
      email: null,
      role: "member",
      createdBy: "test",
      ttlMs: 60_000,
    });
    const made = await post("/v1/auth/signup", { email: "forgetful@example.com", password: "first password", invitation: invite });
    assert.equal(made.status, 201);

    assert.equal((await post("/v1/auth/reset", { email: "forgetful@example.com" })).status, 202);
    const token = /\?reset=([\w-]{43})/.exec((await mailTo("forgetful@example.com")).text)?.[1];
    assert.ok(token, "the reset link is in the mail");
    assert.equal((await post("/v1/auth/reset/confirm", { token, password: "second password" })).status, 204);
    const again = await post("/v1/auth/reset/confirm", { token, password: "third password" });
    assert.equal(again.json.error.code, "reset_used");

    await new Promise((r) => setTimeout(r, 1_100)); // past the one-second cache of sessions
    const old = await request(`${server.url}/v1/me`, { headers: { host: "localhost", cookie: made.cookie! } });
    assert.equal(old.statusCode, 401, "the sessions from before the reset have ended");
    await old.body.text();
    assert.equal((await post("/v1/auth/login", { email: "forgetful@example.com", password: "first password" })).status, 401);
    assert.equal((await post("/v1/auth/login", { email: "forgetful@example.com", password: "second password" })).status, 200);
  });
});
