export { type SmtpConfig, smtpConfig } from "./config.ts";
export { type Mailer, MailError, type MailerOptions, openMailer } from "./mailer.ts";
export { type MailKind, type MailMessage, type MailValues, mailFor, mailLanguage } from "./messages.ts";
