import { IMAGE_UPLOAD_TYPES } from "@benih/contracts";

/** The image types an upload may be: what vision models read and browsers show. */
export const UPLOAD_TYPES = IMAGE_UPLOAD_TYPES;
export type UploadType = (typeof UPLOAD_TYPES)[number];

export interface ImageHeader {
  mime: UploadType;
  width: number;
  height: number;
}

const ascii = (b: Buffer, at: number, text: string) => b.length >= at + text.length && b.toString("latin1", at, at + text.length) === text;

/** A JPEG's size from its first start-of-frame segment (SOF0–SOF15, less the DHT, JPG and DAC markers). */
function jpegSize(b: Buffer): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: b.readUInt16BE(at + 5), width: b.readUInt16BE(at + 7) };
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or the scan, before any frame
    at += 2 + b.readUInt16BE(at + 2);
  }
  return undefined;
}

/** A WebP's size from its first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X). */
function webpSize(b: Buffer): { width: number; height: number } | undefined {
  if (ascii(b, 12, "VP8 ") && b.length >= 30 && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a)
    return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  if (ascii(b, 12, "VP8L") && b.length >= 25 && b[20] === 0x2f) {
    const bits = b.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, "VP8X") && b.length >= 30) return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  return undefined;
}

/**
 * What the bytes of an image say they are, read from their header alone (nothing is decoded): the type by its
 * magic bytes and the size in pixels. Undefined when they are none of the upload types, or their header is cut
 * short or broken.
 */
export function readImageHeader(b: Buffer): ImageHeader | undefined {
  let size: { width: number; height: number } | undefined;
  let mime: UploadType;
  if (b.length >= 24 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) && ascii(b, 12, "IHDR")) {
    mime = "image/png";
    size = { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  } else if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    mime = "image/jpeg";
    size = jpegSize(b);
  } else if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
    mime = "image/webp";
    size = webpSize(b);
  } else if ((ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) && b.length >= 10) {
    mime = "image/gif";
    size = { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  } else return undefined;
  if (!size?.width || !size.height) return undefined;
  return { mime, ...size };
}

/** The type an image's bytes are, by their magic bytes alone (to say what a mislabelled upload really is). */
export function sniffedType(b: Buffer): UploadType | undefined {
  if (b[0] === 0x89 && ascii(b, 1, "PNG")) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8) return "image/jpeg";
  if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) return "image/webp";
  if (ascii(b, 0, "GIF8")) return "image/gif";
  return undefined;
}
