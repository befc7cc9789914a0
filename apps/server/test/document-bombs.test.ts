import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { documentsBeingRead, DocumentTooLargeError, readDocument, ReaderBusyError } from "@benih/assistant";
import { docxBomb, manyEntries, pdfBomb } from "./bombs.ts";
import { bytesUnder } from "./disk.ts";
import { probingHealth } from "./health.ts";
import { docxOf, pdfOf } from "./documents.ts";
import { startServer } from "./harness.ts";
import { until } from "./until.ts";

// Uploads built to cost the server far more than their size: a DOCX that unpacks a thousandfold, one whose
// directory lies about it, a PDF whose pages share one costly content stream. Each is refused with a reason,
// quickly, while the server keeps answering, and nothing is stored.
let server: Awaited<ReturnType<typeof startServer>>;
let key: string;

before(async () => {
  server = await startServer({ yaml: "auth: { required: true }\n" });
  key = (await server.store.apiKeys.create("mallory")).key;
});
after(() => server?.close());

const upload = async (name: string, bytes: Uint8Array, signal?: AbortSignal) => {
  const res = await fetch(`${server.url}/v1/knowledge/documents?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream" },
    body: Buffer.from(bytes),
    ...(signal && { signal }),
  });
  return { status: res.status, json: (await res.json()) as any };
};

/** Uploads a hostile file and checks the refusal: its status, its reason, within 5 s, nothing stored. */
async function refused(name: string, bytes: Uint8Array, status: number, reason: RegExp) {
  const before = bytesUnder(server.dataDir);
  const { result, worstHealthMs, ms } = await probingHealth(server.url, () => upload(name, bytes));
  assert.equal(result.status, status, JSON.stringify(result.json));
  assert.deepEqual(Object.keys(result.json.error).sort(), ["code", "message", "param", "type"]);
  assert.match(result.json.error.message, reason);
  assert.ok(ms < 5000, `refused in ${Math.round(ms)} ms`);
  // The strict numbers are the benchmark's; this only catches a blocked event loop.
  assert.ok(worstHealthMs < 1000, `/health took up to ${Math.round(worstHealthMs)} ms meanwhile`);
  assert.ok(bytesUnder(server.dataDir) - before <= bytes.length, "the store does not grow by more than the upload");
  assert.equal(
    (
      (await fetch(`${server.url}/v1/knowledge/documents`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json())) as any
    ).data.filter((d: { source: string }) => d.source === name).length,
    0,
  );
}

describe("hostile documents", () => {
  it("refuses a DOCX zip bomb by the size its directory declares", async () => {
    const bomb = await docxBomb({ megabytes: 300 });
    assert.ok(bomb.length < 1.5 * 1024 * 1024, `${bomb.length} bytes`);
    await refused("bomb.docx", bomb, 413, /unpacks to 300 MB, over the limit of 50 MB \(maxUnzippedBytes\)/);
  });

  it("refuses a DOCX whose directory lies about its size, by inflating no more than it declares", async () => {
    await refused(
      "liar.docx",
      await docxBomb({ megabytes: 300, lie: true }),
      422,
      /liar\.docx is a damaged DOCX file: word\/document\.xml unpacks to more than the 4096 bytes its directory declares/,
    );
  });

  it("refuses a DOCX entry that unpacks a thousandfold, and one of too many files", async () => {
    await refused(
      "dense.docx",
      await docxBomb({ megabytes: 10 }),
      413,
      /word\/document\.xml unpacks \d+ times its packed size, over the limit of 200 \(maxZipRatio\)/,
    );
    await refused("many.docx", manyEntries(1001), 413, /holds 1001 files, over the limit of 1000 \(maxZipEntries\)/);
  });

  it("refuses a PDF of 2,000 pages sharing one content stream before reading a page", async () => {
    const bomb = pdfBomb({ pages: 2000, ops: 300 });
    await refused("pages.pdf", bomb, 413, /pages\.pdf has 2000 pages, over the limit of 500 \(maxPdfPages\)/);
  });

  it("stops reading when the client goes away", async () => {
    // 200 pages of a costly stream: about half a minute of work, were it read to the end.
    const heavy = pdfBomb({ pages: 200, ops: 30000 });
    const client = new AbortController();
    const sent = upload("heavy.pdf", heavy, client.signal).catch((err: Error) => err);
    await until("the reading to start", async () => documentsBeingRead() === 1 || undefined, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    client.abort();
    assert.equal(((await sent) as Error).name, "AbortError");
    const t = performance.now();
    await until("the reading to stop", async () => documentsBeingRead() === 0 || undefined, 2000);
    assert.ok(performance.now() - t < 2000);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });

  it("stops reading at the time limit, with a reason", async () => {
    const t = performance.now();
    await assert.rejects(readDocument("heavy.pdf", pdfBomb({ pages: 200, ops: 30000 }), { limits: { timeoutMs: 1000 } }), (err: Error) => {
      assert.ok(err instanceof DocumentTooLargeError);
      assert.equal(err.limit, "timeoutMs");
      assert.match(err.message, /heavy\.pdf takes longer than 1 s to read, the limit \(timeoutMs\)/);
      return true;
    });
    assert.ok(performance.now() - t < 5000, `${Math.round(performance.now() - t)} ms`);
    assert.equal(documentsBeingRead(), 0);
  });

  it("refuses a document for now when too many already wait their turn, holding none of them", async () => {
    const limits = { concurrency: 1, queue: 0, timeoutMs: 1000 };
    const first = readDocument("heavy.pdf", pdfBomb({ pages: 200, ops: 30000 }), { limits });
    await assert.rejects(readDocument("next.txt", Buffer.from("hello"), { limits }), ReaderBusyError);
    await assert.rejects(first, DocumentTooLargeError);
    assert.equal((await readDocument("next.txt", Buffer.from("hello"), { limits })).pages[0]!.text, "hello");
  });

  it("still takes ordinary documents after all that", async () => {
    assert.equal((await upload("fine.docx", await docxOf(["Komodo dragons live on five islands."]))).status, 201);
    const pdf = await upload("fine.pdf", await pdfOf(["One page", "Two pages"]));
    assert.deepEqual([pdf.status, pdf.json.pages], [201, 2]);
  });
});
