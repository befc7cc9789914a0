/** Mails that accounts send; "setup" links are shown to the operator, never mailed. */
export type MailKind = "invite" | "reset";

export interface MailMessage {
  subject: string;
  text: string;
  html: string;
}

export interface MailValues {
  /** The product's name as its users know it (a market's display name). */
  brand: string;
  /** The one-time link; http(s) only. */
  url: string;
  /** How long the link stays valid. */
  hours: number;
}

/** One mail's words; `brand` arrives already escaped when the words go into HTML. */
interface Copy {
  subject: string;
  intro: string;
  /** Leads into the link. */
  action: string;
  outro: string;
}

type Words = Record<MailKind, (brand: string, hours: number) => Copy>;

const en: Words = {
  invite: (brand, hours) => ({
    subject: `You're invited to ${brand}`,
    intro: `You have been invited to ${brand}.`,
    action: "To accept, open this link and choose your password:",
    outro: `The link expires in ${hours === 1 ? "1 hour" : `${hours} hours`}.`,
  }),
  reset: (brand, hours) => ({
    subject: `Reset your ${brand} password`,
    intro: `Someone asked to reset the password of your ${brand} account.`,
    action: "To choose a new password, open this link:",
    outro: `The link expires in ${hours === 1 ? "1 hour" : `${hours} hours`}. If this wasn't you, ignore this email: your password stays as it is.`,
  }),
};

const zh: Words = {
  invite: (brand, hours) => ({
    subject: `邀请您加入 ${brand}`,
    intro: `您已受邀加入 ${brand}。`,
    action: "请打开下面的链接接受邀请并设置密码：",
    outro: `此链接将在 ${hours} 小时后失效。`,
  }),
  reset: (brand, hours) => ({
    subject: `重置您的 ${brand} 密码`,
    intro: `有人请求重置您的 ${brand} 账户密码。`,
    action: "请打开下面的链接设置新密码：",
    outro: `此链接将在 ${hours} 小时后失效。如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。`,
  }),
};

const id: Words = {
  invite: (brand, hours) => ({
    subject: `Anda diundang ke ${brand}`,
    intro: `Anda telah diundang untuk bergabung dengan ${brand}.`,
    action: "Untuk menerima undangan, buka tautan ini dan buat kata sandi Anda:",
    outro: `Tautan ini kedaluwarsa dalam ${hours} jam.`,
  }),
  reset: (brand, hours) => ({
    subject: `Atur ulang kata sandi ${brand} Anda`,
    intro: `Seseorang meminta untuk mengatur ulang kata sandi akun ${brand} Anda.`,
    action: "Untuk membuat kata sandi baru, buka tautan ini:",
    outro: `Tautan ini kedaluwarsa dalam ${hours} jam. Jika ini bukan Anda, abaikan email ini: kata sandi Anda tidak berubah.`,
  }),
};

const byLanguage: Record<string, Words> = { en, zh, id };

/** "zh-CN", "zh_TW" and "zh" all read as zh; a language without words reads as en. */
export function mailLanguage(locale: string): "en" | "zh" | "id" {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  return language === "zh" || language === "id" ? language : "en";
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function mailFor(kind: MailKind, locale: string, v: MailValues): MailMessage {
  // The link goes into an href: anything but http(s) (javascript:, data:) would be a bug upstream worth stopping here.
  if (!/^https?:\/\//i.test(v.url)) throw new Error(`a ${kind} mail needs an http(s) link`);
  const language = mailLanguage(locale);
  const words = byLanguage[language]![kind];
  const plain = words(v.brand, v.hours);
  const marked = words(escapeHtml(v.brand), v.hours);
  const url = escapeHtml(v.url);
  const text = `${plain.intro}\n\n${plain.action}\n${v.url}\n\n${plain.outro}\n`;
  const html = [
    "<!doctype html>",
    `<html lang="${language}"><head><meta charset="utf-8"><title>${marked.subject}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5">',
    `<p>${marked.intro}</p>`,
    `<p>${marked.action}<br><a href="${url}">${url}</a></p>`,
    `<p>${marked.outro}</p>`,
    "</body></html>",
    "",
  ].join("\n");
  return { subject: plain.subject, text, html };
}
