import { bytesToUnicode } from "@benih/gguf";

const byteToChar = bytesToUnicode();
const charToByte = new Map(byteToChar.map((c, b) => [c, b]));
const utf8 = new TextEncoder();

/** A word's UTF-8 bytes, each as its printable stand-in character (GPT-2's byte-to-unicode table). */
export function toByteChars(word: string): string[] {
  return Array.from(utf8.encode(word), (b) => byteToChar[b]!);
}

/** The bytes a token string stands for. */
export function fromByteChars(token: string): number[] {
  return Array.from(token, (c) => {
    const b = charToByte.get(c);
    if (b === undefined) throw new Error(`character ${JSON.stringify(c)} is not a byte-level token character`);
    return b;
  });
}
