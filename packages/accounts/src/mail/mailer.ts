import { createTransport } from "nodemailer";
import type { SmtpConfig } from "./config.ts";
import type { MailMessage } from "./messages.ts";

export interface Mailer {
  /** Resolves once the SMTP server has accepted the message for `to`. */
  send(to: string, message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** A mail the SMTP server did not take; `code` is nodemailer's (ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, …). */
export class MailError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = "MailError";
    this.code = code;
  }
}

export interface MailerOptions {
  /** Bounds connecting (DNS included), the greeting and each quiet spell on the socket. */
  timeoutMs?: number;
}

/** One connection per mail: accounts send a few mails an hour, not enough to hold a pool open. */
export function openMailer(config: SmtpConfig, { timeoutMs = 10_000 }: MailerOptions = {}): Mailer {
  const url = new URL(config.url);
  const secure = url.protocol === "smtps:";
  const server = `${url.hostname}:${url.port || (secure ? 465 : 587)}`;
  const password = safeDecode(url.password);
  const transport = createTransport(
    {
      url: config.url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
    },
    { from: config.from },
  );
  return {
    async send(to, message) {
      try {
        await transport.sendMail({ to, subject: message.subject, text: message.text, html: message.html });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        // nodemailer does not quote credentials today; a server's reply might, and these messages end up in logs.
        const told = password.length >= 4 ? reason.replaceAll(password, "***") : reason;
        const code = (err as { code?: unknown } | null)?.code;
        throw new MailError(
          `could not send mail through the SMTP server at ${server}: ${told}`,
          typeof code === "string" ? code : undefined,
          err,
        );
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** A stray "%" in a password is legal in the URL and must not stop the mailer opening. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
