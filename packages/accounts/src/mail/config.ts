import { z } from "zod";

/** `smtp:` in benih.yaml: the relay that carries invitations and password resets. */
export const smtpConfig = z.strictObject({
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465 (TLS from the start); nodemailer options may follow as query parameters, e.g. ?requireTLS=true. */
  url: z.string().superRefine((value, ctx) => {
    const problem = urlProblem(value);
    // The value may hold the password, so the message never repeats it.
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  /** The sender, `no-reply@example.com` or `benih <no-reply@example.com>`. */
  from: z
    .string()
    .trim()
    .regex(/^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'use an address such as "benih <no-reply@example.com>"'),
});

export type SmtpConfig = z.infer<typeof smtpConfig>;

function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "use a URL such as smtp://user:pass@mail.example.com:587";
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") return `use smtp:// or smtps://, not ${url.protocol}//`;
  if (!url.hostname) return "name the SMTP host, as in smtp://mail.example.com:587";
  return undefined;
}
