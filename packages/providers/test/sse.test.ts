import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSSE } from "@benih/providers";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function collect(s: ReadableStream<Uint8Array>) {
  const out = [];
  for await (const e of parseSSE(s)) out.push(e);
  return out;
}

describe("SSE parser", () => {
  it("handles events split anywhere, CRLF and CR line ends, comments and multi-line data", async () => {
    const events = await collect(streamOf("data: a", "b\r", "\n\r\n: comment\n", "event: ping\ndata: 1\ndata: 2\r\rdata:no-space\n\n"));
    assert.deepEqual(events, [
      { event: undefined, data: "ab" },
      { event: "ping", data: "1\n2" },
      { event: undefined, data: "no-space" },
    ]);
  });

  it("decodes UTF-8 split across chunks", async () => {
    const bytes = new TextEncoder().encode("data: 中文\n\n");
    const s = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 8));
        c.enqueue(bytes.subarray(8));
        c.close();
      },
    });
    assert.deepEqual(await collect(s), [{ event: undefined, data: "中文" }]);
  });

  it("drops an event cut off by the end of the stream", async () => {
    assert.deepEqual(await collect(streamOf("data: complete\n\ndata: cut")), [{ event: undefined, data: "complete" }]);
  });
});
