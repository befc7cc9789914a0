export interface SSEEvent {
  event: string | undefined;
  data: string;
}

/**
 * Server-sent events from a byte stream, per the WHATWG EventSource parsing rules (fields, multi-line data,
 * comments, CR/LF/CRLF line ends). Yields each event as soon as its blank line arrives.
 */
export async function* parseSSE(body: AsyncIterable<Uint8Array>): AsyncGenerator<SSEEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let event: string | undefined;
  const chunks = body[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await chunks.next();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (;;) {
        const nl = buffer.slice(start).search(/\r\n|\r|\n/);
        if (nl < 0) break;
        const line = buffer.slice(start, start + nl);
        // A lone CR at the very end may be the first half of CRLF: wait for more input.
        if (buffer[start + nl] === "\r" && start + nl + 1 === buffer.length && !done) break;
        start += nl + (buffer.startsWith("\r\n", start + nl) ? 2 : 1);
        if (line === "") {
          if (data.length) yield { event, data: data.join("\n") };
          data = [];
          event = undefined;
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? "" : line.slice(colon + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        if (field === "data") data.push(val);
        else if (field === "event") event = val;
      }
      buffer = buffer.slice(start);
      if (done) break;
    }
    // An event not closed by a blank line before the end of the stream is dropped, as the standard says.
    finished = true;
  } finally {
    // The consumer stopped early: end the body so the upstream connection is released.
    if (!finished) await chunks.return?.().catch(() => {});
  }
}
