import { constants, createDeflateRaw, deflateRawSync, deflateSync } from "node:zlib";

// Hostile documents, built by the tests that need them (no binary is committed): small files that cost a reader
// far more than their size.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Raw DEFLATE of head, `unit` repeated `times` times, and tail, without holding the whole text. */
async function deflateRepeated(head: Buffer, unit: Buffer, times: number, tail: Buffer): Promise<Buffer> {
  const z = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION, memLevel: 9 });
  const out: Buffer[] = [];
  z.on("data", (b: Buffer) => out.push(b));
  const done = new Promise((resolve, reject) => z.on("end", resolve).on("error", reject));
  const write = async (b: Buffer) => z.write(b) || (await new Promise((r) => z.once("drain", r)));
  await write(head);
  for (let i = 0; i < times; i++) await write(unit);
  z.end(tail);
  await done;
  return Buffer.concat(out);
}

interface ZipPart {
  name: string;
  /** What the entry holds, DEFLATE-compressed. */
  deflated: Buffer;
  /** Its unpacked size, as written in the headers (a bomb may lie). */
  size: number;
  crc: number;
}

/** A ZIP archive of deflated parts, written out by hand. */
function zipOf(parts: ZipPart[]): Buffer {
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(8, 8);
    head.writeUInt32LE(p.crc, 14);
    head.writeUInt32LE(p.deflated.length, 18);
    head.writeUInt32LE(p.size, 22);
    head.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(p.crc, 16);
    entry.writeUInt32LE(p.deflated.length, 20);
    entry.writeUInt32LE(p.size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    local.push(head, name, p.deflated);
    central.push(entry, name);
    offset += head.length + name.length + p.deflated.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, dir, end]);
}

const small = (name: string, text: string): ZipPart => {
  const bytes = Buffer.from(text);
  return { name, deflated: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes) };
};

/**
 * A DOCX whose word/document.xml is one paragraph run repeated until it unpacks to `megabytes` (about 1,000 times
 * its packed size). `lie` writes a small unpacked size in the headers instead of the true one.
 */
export async function docxBomb(o: { megabytes: number; lie?: boolean }): Promise<Buffer> {
  const unit = Buffer.from("<w:p><w:r><w:t>All work and no play makes Jack a dull boy.</w:t></w:r></w:p>".repeat(256));
  const times = Math.round((o.megabytes * 1024 * 1024) / unit.length);
  const head = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`,
  );
  const tail = Buffer.from("</w:body></w:document>");
  const z = await deflateRepeated(head, unit, times, tail);
  const size = head.length + unit.length * times + tail.length;
  return zipOf([
    small(
      "[Content_Types].xml",
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    ),
    small(
      "_rels/.rels",
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    ),
    { name: "word/document.xml", deflated: z, size: o.lie ? 4096 : size, crc: 0 },
  ]);
}

/** A DOCX-named ZIP of `entries` tiny files: cheap to send, a directory too long to walk. */
export function manyEntries(entries: number): Buffer {
  return zipOf(Array.from({ length: entries }, (_, i) => small(`word/media/part${i}.xml`, "<a/>")));
}

/**
 * A PDF of `pages` pages that all share one content stream of `ops` text-showing operators: the file grows with
 * the pages, the work of reading it with pages × ops.
 */
export function pdfBomb(o: { pages: number; ops: number }): Buffer {
  const content = Buffer.from(`BT /F1 1 Tf ${"1 0 Td (a) Tj ".repeat(o.ops)}ET`);
  const objects: Array<string | Buffer> = [];
  // 1 catalog, 2 page tree, 3 font, 4 the shared content stream, 5… the pages.
  objects.push("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push(`<< /Type /Pages /Count ${o.pages} /Kids [${Array.from({ length: o.pages }, (_, i) => `${5 + i} 0 R`).join(" ")}] >>`);
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const z = deflateSync(content);
  objects.push(Buffer.concat([Buffer.from(`<< /Length ${z.length} /Filter /FlateDecode >>\nstream\n`), z, Buffer.from("\nendstream")]));
  for (let i = 0; i < o.pages; i++)
    objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>");
  const out: Buffer[] = [Buffer.from("%PDF-1.4\n")];
  const offsets: number[] = [];
  let at = out[0]!.length;
  objects.forEach((body, i) => {
    const obj = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === "string" ? Buffer.from(body) : body,
      Buffer.from("\nendobj\n"),
    ]);
    offsets.push(at);
    out.push(obj);
    at += obj.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((n) => `${String(n).padStart(10, "0")} 00000 n \n`).join("")}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`;
  out.push(Buffer.from(xref));
  return Buffer.concat(out);
}
