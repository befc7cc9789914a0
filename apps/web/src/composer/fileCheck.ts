import { DEFAULT_UPLOAD_MAX_MB, DOCUMENT_UPLOAD_TYPES, IMAGE_UPLOAD_TYPES } from "@benih/contracts";
import type { Settings } from "../api/types.ts";
import { t, type Locale, fillText } from "../i18n.ts";

/** What the server takes when its settings have not loaded: its defaults. */
const DEFAULT_UPLOADS: Settings["uploads"] = {
  maxMb: DEFAULT_UPLOAD_MAX_MB,
  types: DOCUMENT_UPLOAD_TYPES,
  imageMaxMb: DEFAULT_UPLOAD_MAX_MB,
};
/** Other spellings of the types the server names, which it reads as well. */
const ALIASES: Record<string, string> = { ".markdown": ".md", ".htm": ".html" };

const MB = 1024 * 1024;
const extensionOf = (name: string) => /\.[a-z0-9]+$/i.exec(name)?.[0].toLowerCase() ?? "";
const megabytes = (bytes: number) => String(Math.round((bytes / MB) * 10) / 10);

export const uploadsOf = (settings: Settings | null): Settings["uploads"] => settings?.uploads ?? DEFAULT_UPLOADS;

/** An image the server keeps to go with a message (the model sees it), not a document it reads. */
export const isImage = (file: File) => (IMAGE_UPLOAD_TYPES as readonly string[]).includes(file.type);

/** The `accept` of a file picker: the document types the server reads, with their other spellings, and images. */
export const acceptOf = (settings: Settings | null) => {
  const types = uploadsOf(settings).types;
  return [...types, ...Object.keys(ALIASES).filter((a) => types.includes(ALIASES[a]!)), ...IMAGE_UPLOAD_TYPES].join(",");
};

/**
 * Why this file cannot go to the server, in the user's language, or null when it can: checked here so that a file
 * the server would refuse is never sent (a 30 MB upload to learn it is too large).
 */
export function refusalOf(file: File, settings: Settings | null, locale: Locale): string | null {
  const { maxMb: documentMaxMb, types, imageMaxMb } = uploadsOf(settings);
  const maxMb = isImage(file) ? imageMaxMb : documentMaxMb;
  const ext = extensionOf(file.name);
  if (file.type.startsWith("image/") && !isImage(file)) return fillText(t(locale, "imageWrongType"), { name: file.name });
  if (!isImage(file) && !types.includes(ALIASES[ext] ?? ext))
    return fillText(t(locale, "fileWrongType"), { name: file.name, types: types.join(" ") });
  if (file.size > maxMb * MB) return fillText(t(locale, "fileTooLarge"), { name: file.name, size: megabytes(file.size), limit: maxMb });
  return null;
}

/** A refusal by the server, in the user's language; the server's own message goes with it as detail. */
export function serverRefusal(name: string, status: number, locale: Locale): string {
  // 413 is also an image of too many pixels: "larger than this server takes" says both.
  const key = status === 413 ? "serverTooLarge" : status === 415 ? "serverWrongType" : status === 422 ? "serverUnreadable" : "serverFailed";
  return fillText(t(locale, key), { name });
}

/** A pasted image without a name of its own (a screenshot) gets one that says when it was taken. */
export function namedPaste(file: File, now = new Date()): File {
  if (file.name && file.name !== "image.png") return file;
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  const ext = file.type.split("/")[1]?.replace("jpeg", "jpg") || "png";
  return new File([file], `screenshot-${stamp}.${ext}`, { type: file.type, lastModified: file.lastModified });
}
