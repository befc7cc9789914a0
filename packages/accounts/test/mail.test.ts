import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, describe, test } from "node:test";
import { SMTPServer } from "smtp-server";
import { MailError, mailFor, openMailer, smtpConfig } from "../src/mail/index.ts";

interface Received {
  user: string | undefined;
  from: string | undefined;
  to: string[];
  raw: string;
}

const USER = "benih+mail";
const PASSWORD = "s3cr:t@pw/ord";
const FROM = "Benih <no-reply@benih.test>";

/** Header values with RFC 2047 words decoded; adjacent words are joined as bytes, since a character may straddle two. */
function decodeHeader(value: string): string {
  const parts = value.split(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)/);
  const chunks = parts.flatMap((part, i) => {
    const word = /^=\?[^?]+\?([BbQq])\?([^?]*)\?=$/.exec(part);
    if (word) {
      const [, encoding, data] = word as unknown as [string, string, string];
      if (encoding.toUpperCase() === "B") return [Buffer.from(data, "base64")];
      return [
        Buffer.from(
          data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(Number.parseInt(h, 16))),
          "latin1",
        ),
      ];
    }
    const betweenWords = i > 0 && i < parts.length - 1 && /^\s*$/.test(part);
    return betweenWords ? [] : [Buffer.from(part, "utf8")];
  });
  return Buffer.concat(chunks).toString("utf8");
}

function headersOf(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, h) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

/** Just enough MIME to read what nodemailer writes for a text + html mail. */
function readMail(raw: string) {
  const split = raw.indexOf("\r\n\r\n");
  const headers = headersOf(raw.slice(0, split));
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get("content-type") ?? "")?.[1];
  assert.ok(boundary, `a multipart mail, got ${headers.get("content-type")}`);
  const bodies = new Map<string, string>();
  for (const part of raw.slice(split + 4).split(`--${boundary}`)) {
    const end = part.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const partHeaders = headersOf(part.slice(0, end).replace(/^\r\n/, ""));
    const type = partHeaders.get("content-type")?.split(";")[0]?.trim();
    if (type) bodies.set(type, decodeBody(part.slice(end + 4), partHeaders.get("content-transfer-encoding")?.toLowerCase()));
  }
  return {
    subject: decodeHeader(headers.get("subject") ?? ""),
    from: decodeHeader(headers.get("from") ?? ""),
    to: headers.get("to"),
    text: bodies.get("text/plain") ?? "",
    html: bodies.get("text/html") ?? "",
  };
}

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));

describe("account mail over a real SMTP server", () => {
  const received: Received[] = [];
  let port = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === USER && auth.password === PASSWORD) done(null, { user: auth.username });
      else done(new Error("Invalid username or password"));
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          user: session.user as string | undefined,
          from: (session.envelope.mailFrom || undefined)?.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        done();
      });
    },
  });
  const urlWith = (password: string, at = port) => `smtp://${encodeURIComponent(USER)}:${encodeURIComponent(password)}@127.0.0.1:${at}`;

  before(async () => {
    port = await new Promise<number>((resolve) =>
      smtp.listen(0, "127.0.0.1", () => resolve((smtp.server.address() as { port: number }).port)),
    );
  });
  after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

  test("an invitation in Indonesian reaches its recipient, with the link in both parts and the brand escaped in HTML", async () => {
    const mailer = openMailer(smtpConfig.parse({ url: urlWith(PASSWORD), from: FROM }));
    const link = "https://chat.benih.test/invite?token=tok_123&lang=id";
    await mailer.send("ayu@contoh.test", mailFor("invite", "id-ID", { brand: "<b>Benih</b> & co", url: link, hours: 72 }));
    await mailer.close();

    const got = received.at(-1)!;
    assert.equal(got.user, USER, "the password with ':', '@' and '/' in the URL authenticated");
    assert.deepEqual(got.to, ["ayu@contoh.test"]);
    assert.equal(got.from, "no-reply@benih.test");
    const mail = readMail(got.raw);
    assert.equal(mail.subject, "Anda diundang ke <b>Benih</b> & co");
    assert.match(mail.from, /Benih <no-reply@benih\.test>/);
    assert.match(mail.to ?? "", /ayu@contoh\.test/);
    assert.ok(mail.text.includes(link), mail.text);
    assert.ok(mail.text.includes("<b>Benih</b> & co"), "text is not HTML: the brand reads as written");
    assert.match(mail.text, /kedaluwarsa dalam 72 jam/);
    assert.ok(mail.html.includes(`href="${link.replace("&", "&amp;")}"`), mail.html);
    assert.ok(mail.html.includes("&lt;b&gt;Benih&lt;/b&gt; &amp; co"), mail.html);
    assert.ok(!mail.html.includes("<b>"), "the brand's markup is not rendered");
    assert.match(mail.html, /<html lang="id">/);
  });

  test("a password reset in Chinese says to ignore it if it was not you", async () => {
    const mailer = openMailer(smtpConfig.parse({ url: urlWith(PASSWORD), from: FROM }));
    const link = "https://chat.benih.test/reset?token=tok_456";
    await mailer.send("li@example.test", mailFor("reset", "zh-CN", { brand: "豆苗", url: link, hours: 1 }));
    await mailer.close();

    const got = received.at(-1)!;
    assert.deepEqual(got.to, ["li@example.test"]);
    const mail = readMail(got.raw);
    assert.equal(mail.subject, "重置您的 豆苗 密码");
    assert.ok(mail.text.includes(link));
    assert.ok(mail.html.includes(`href="${link}"`));
    assert.match(mail.text, /1 小时后失效/);
    assert.match(mail.text, /请忽略此邮件/);
  });

  test("a wrong password is refused with the server named and the password nowhere", async () => {
    const wrong = "not-the-password";
    const mailer = openMailer(smtpConfig.parse({ url: urlWith(wrong), from: FROM }));
    const sent = mailer.send("x@example.test", mailFor("reset", "en", { brand: "Benih", url: "https://b.test/r", hours: 1 }));
    await assert.rejects(sent, (err: unknown) => {
      assert.ok(err instanceof MailError);
      assert.equal(err.code, "EAUTH");
      assert.ok(err.message.includes(`127.0.0.1:${port}`), err.message);
      assert.ok(!err.message.includes(wrong), err.message);
      return true;
    });
  });

  test("a port nobody listens on is refused promptly, naming host:port and not the password", async () => {
    const probe = createServer();
    const dead = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const mailer = openMailer(smtpConfig.parse({ url: urlWith(PASSWORD, dead), from: FROM }));
    const started = Date.now();
    await assert.rejects(
      mailer.send("x@example.test", mailFor("invite", "en", { brand: "Benih", url: "https://b.test/i", hours: 24 })),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.ok(err.message.includes(`127.0.0.1:${dead}`), err.message);
        assert.ok(!err.message.includes(PASSWORD) && !err.message.includes(encodeURIComponent(PASSWORD)), err.message);
        return true;
      },
    );
    assert.ok(Date.now() - started < 10_000);
  });

  test("a server that accepts the connection and never greets is given up on after the timeout", async () => {
    const silent = createServer(() => {});
    const at = await listen(silent);
    try {
      const mailer = openMailer(smtpConfig.parse({ url: urlWith(PASSWORD, at), from: FROM }), { timeoutMs: 300 });
      const started = Date.now();
      await assert.rejects(
        mailer.send("x@example.test", mailFor("invite", "en", { brand: "B", url: "https://b.test/i", hours: 24 })),
        (err: unknown) => {
          assert.ok(err instanceof MailError);
          assert.equal(err.code, "ETIMEDOUT");
          assert.ok(err.message.includes(`127.0.0.1:${at}`), err.message);
          return true;
        },
      );
      assert.ok(Date.now() - started < 3_000, `gave up after ${Date.now() - started} ms`);
    } finally {
      silent.close();
      // The accepted socket nodemailer left would keep close() waiting.
      (silent as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    }
  });
});

describe("smtp: in benih.yaml", () => {
  test("takes smtp:// and smtps:// URLs and a sender with or without a name", () => {
    assert.ok(smtpConfig.safeParse({ url: "smtp://user:pass@mail.example:587", from: "benih <no-reply@example.com>" }).success);
    assert.ok(smtpConfig.safeParse({ url: "smtps://mail.example", from: "no-reply@example.com" }).success);
  });

  test("refuses other schemes without echoing the password, and a sender that is not an address", () => {
    const http = smtpConfig.safeParse({ url: "https://user:hunter22@mail.example", from: "no-reply@example.com" });
    assert.ok(!http.success);
    assert.match(http.error.issues[0]!.message, /smtp:\/\/ or smtps:\/\//);
    assert.ok(!JSON.stringify(http.error.issues).includes("hunter22"));
    assert.ok(!smtpConfig.safeParse({ url: "smtp://mail.example", from: "no-reply" }).success);
    assert.ok(!smtpConfig.safeParse({ url: "smtp://mail.example", from: "a@b.test\r\nBcc: x@evil.test" }).success);
    assert.ok(!smtpConfig.safeParse({ url: "smtp://mail.example", from: "a@b.test", extra: 1 }).success, "a typo'd key is an error");
  });
});

describe("mail text", () => {
  const v = { brand: "Benih", url: "https://b.test/i?t=1", hours: 24 };

  test("a locale without words falls back to English; regional tags read as their language", () => {
    assert.equal(mailFor("invite", "fr-FR", v).subject, "You're invited to Benih");
    assert.equal(mailFor("invite", "zh_TW", v).subject, "邀请您加入 Benih");
    assert.equal(mailFor("reset", "ID", v).subject, "Atur ulang kata sandi Benih Anda");
  });

  test("a link that is not http(s) is refused rather than put in an href", () => {
    assert.throws(() => mailFor("reset", "en", { ...v, url: "javascript:alert(1)" }));
  });
});
