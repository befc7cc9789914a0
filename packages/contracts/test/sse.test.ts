import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventStreamParser, encodeEvent, readEvents, type ServerSentEvent } from "@benih/contracts";

function streamOf(...chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === "string" ? enc.encode(ch) : ch);
      c.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>) {
  const out: ServerSentEvent[] = [];
  for await (const e of readEvents(body)) out.push(e);
  return out;
}

describe("encodeEvent", () => {
  it("writes JSON data, an event name and an id, ending with a blank line", () => {
    assert.equal(encodeEvent({ event: "delta", id: "7", data: { text: "hi" } }), 'event: delta\nid: 7\ndata: {"text":"hi"}\n\n');
    assert.equal(encodeEvent({ data: "[DONE]" }), "data: [DONE]\n\n");
  });

  it("splits multi-line text into data lines that read back as the same text", () => {
    const text = "one\ntwo\r\nthree\rfour";
    assert.equal(encodeEvent({ data: text }), "data: one\ndata: two\ndata: three\ndata: four\n\n");
    assert.deepEqual(new EventStreamParser().feed(encodeEvent({ data: text })), [{ event: undefined, data: "one\ntwo\nthree\nfour" }]);
  });

  it("refuses an event name or id that would start a field of its own", () => {
    assert.throws(() => encodeEvent({ event: "x\ndata: injected", data: 1 }), /line break/);
    assert.throws(() => encodeEvent({ id: "1\r", data: 1 }), /line break/);
  });
});

describe("EventStreamParser", () => {
  const text = `${encodeEvent({ event: "a", data: { n: 1 } })}: keep-alive\r\nid: 5\r\ndata: x\r\ndata: y\r\n\r\ndata\r\r`;
  const expected = [
    { event: "a", data: '{"n":1}' },
    { event: undefined, data: "x\ny", id: "5" },
    { event: undefined, data: "", id: "5" },
  ];

  it("reads the same events wherever the text is cut", () => {
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const parser = new EventStreamParser();
        const events = [...parser.feed(text.slice(0, i)), ...parser.feed(text.slice(i, j)), ...parser.feed(text.slice(j))];
        assert.deepEqual(events, expected, `cut at ${i} and ${j}`);
      }
    }
  });

  it("takes a CR ending one text and a LF starting the next as one line end", () => {
    const parser = new EventStreamParser();
    assert.deepEqual(parser.feed("data: a\r"), []);
    assert.deepEqual(parser.feed(""), []);
    assert.deepEqual(parser.feed("\n\r\n"), [{ event: undefined, data: "a" }]);
  });
});

describe("readEvents", () => {
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
    assert.deepEqual(await collect(streamOf(bytes.subarray(0, 8), bytes.subarray(8))), [{ event: undefined, data: "中文" }]);
  });

  it("reads an async iterable of text or bytes, as a Node stream gives", async () => {
    async function* body() {
      yield "data: one\n";
      yield new TextEncoder().encode("\ndata: two\n\n");
    }
    assert.deepEqual(await collect(body()), [
      { event: undefined, data: "one" },
      { event: undefined, data: "two" },
    ]);
  });

  it("drops an event cut off by the end of the stream", async () => {
    assert.deepEqual(await collect(streamOf("data: complete\n\ndata: cut")), [{ event: undefined, data: "complete" }]);
  });

  it("cancels the stream when the reader stops early", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new TextEncoder().encode("data: more\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const e of readEvents(body)) {
      assert.equal(e.data, "more");
      break;
    }
    assert.equal(cancelled, true);
  });
});
