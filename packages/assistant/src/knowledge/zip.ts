import { inflateRawSync } from "node:zlib";
import { DocumentTooLargeError, ExtractError, sizeOf, type DocumentLimits } from "./limits.ts";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  flags: number;
  compressedSize: number;
  /** As the directory declares it; `checkZip` inflates to find out. */
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The entries of a ZIP archive as its central directory lists them. Read the way JSZip (which mammoth uses) reads
 * it: the last end-of-central-directory record, then the directory it points at.
 */
export function zipEntries(bytes: Uint8Array, name: string): ZipEntry[] {
  const damaged = (why: string) => new ExtractError(`${name} is a damaged DOCX file: ${why}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0) throw damaged("no ZIP central directory");
  const count = view.getUint16(end + 10, true);
  const dirSize = view.getUint32(end + 12, true);
  const dirOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff)
    throw damaged("it is a ZIP64 archive, which no document of this size needs");
  if (dirOffset + dirSize !== end) throw damaged("its central directory is not where its end record says");
  const entries: ZipEntry[] = [];
  let at = dirOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL) throw damaged(`entry ${n + 1} of its directory is missing`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const entry: ZipEntry = {
      name: Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString("utf8"),
      method: view.getUint16(at + 10, true),
      flags: view.getUint16(at + 8, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    };
    // ZIP64 sizes live in extra field 0x0001, in this order, for those fields set to 0xffffffff.
    for (let x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(x, true);
      const length = view.getUint16(x + 2, true);
      if (id === 0x0001) {
        let field = x + 4;
        const next = () => {
          if (field + 8 > x + 4 + length) throw damaged(`the ZIP64 field of ${entry.name} is short`);
          const v = Number(view.getBigUint64(field, true));
          field += 8;
          return v;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      }
      x += 4 + length;
    }
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Refuses a ZIP (DOCX) archive that would cost too much to open, before anything else opens it: too many entries,
 * too many bytes declared, an absurd ratio, and, since the directory can lie, more bytes actually inflated than
 * declared or than the limit. Each entry is inflated with its output capped and thrown away, so this costs at most
 * `maxUnzippedBytes` of inflating, and what a ZIP reader gets afterwards is known to fit.
 */
export function checkZip(bytes: Uint8Array, name: string, limits: DocumentLimits): void {
  const damaged = (why: string) => new ExtractError(`${name} is a damaged DOCX file: ${why}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = zipEntries(bytes, name);
  if (entries.length > limits.maxZipEntries)
    throw new DocumentTooLargeError(
      `${name} holds ${entries.length} files, over the limit of ${limits.maxZipEntries} (maxZipEntries)`,
      "maxZipEntries",
    );
  const declared = entries.reduce((n, e) => n + e.size, 0);
  if (declared > limits.maxUnzippedBytes)
    throw new DocumentTooLargeError(
      `${name} unpacks to ${sizeOf(declared)}, over the limit of ${sizeOf(limits.maxUnzippedBytes)} (maxUnzippedBytes)`,
      "maxUnzippedBytes",
    );
  for (const e of entries) {
    if (e.size > 1024 * 1024 && e.size / Math.max(e.compressedSize, 1) > limits.maxZipRatio) {
      throw new DocumentTooLargeError(
        `${name}: ${e.name} unpacks ${Math.round(e.size / Math.max(e.compressedSize, 1))} times its packed size, over the limit of ${limits.maxZipRatio} (maxZipRatio)`,
        "maxZipRatio",
      );
    }
  }
  let inflated = 0;
  for (const e of entries) {
    if (e.flags & 1) throw new ExtractError(`${name} is encrypted`, "encrypted_file");
    const at = e.localHeaderOffset;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw damaged(`the header of ${e.name} is missing`);
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    if (start + e.compressedSize > bytes.length) throw damaged(`${e.name} runs past the end of the file`);
    const data = bytes.subarray(start, start + e.compressedSize);
    let size: number;
    if (e.method === 0) size = data.length;
    else if (e.method === 8) {
      // One byte over what the directory declares (or what is left of the limit) is enough to know it lies.
      const cap = Math.min(e.size, limits.maxUnzippedBytes - inflated) + 1;
      try {
        size = inflateRawSync(data, { maxOutputLength: cap }).length;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE")
          throw damaged(`${e.name} does not inflate: ${(err as Error).message}`);
        size = cap;
      }
    } else throw damaged(`${e.name} uses compression method ${e.method}`);
    inflated += size;
    if (inflated > limits.maxUnzippedBytes)
      throw new DocumentTooLargeError(
        `${name} unpacks to more than the limit of ${sizeOf(limits.maxUnzippedBytes)} (maxUnzippedBytes)`,
        "maxUnzippedBytes",
      );
    if (size !== e.size)
      throw damaged(`${e.name} unpacks to ${size > e.size ? "more" : "less"} than the ${e.size} bytes its directory declares`);
  }
}
