// Server-sent events: the one encoder the server writes with and the one parser every reader (server, CLI,
// assistant model client, web app) reads with. Browser-safe: only TextDecoder and streams.

/** One event as read from a stream. `id` is the stream's last event ID, absent until an event sets one. */
export interface ServerSentEvent {
  event: string | undefined;
  data: string;
  id?: string;
}

/** One event to write: a string `data` goes out as it is, anything else as JSON. */
export interface EventToSend {
  event?: string;
  data: unknown;
  id?: string;
}

const LINE_END = /\r\n|\r|\n/g;

/** The text of one event, blank line included. A multi-line `data` becomes one `data:` line per line. */
export function encodeEvent({ event, data, id }: EventToSend): string {
  let out = "";
  // A line break in a name would let the value start a field of its own.
  if (event !== undefined) out += `event: ${singleLine(event, "event")}\n`;
  if (id !== undefined) out += `id: ${singleLine(id, "id")}\n`;
  const text = typeof data === "string" ? data : JSON.stringify(data);
  for (const line of text.split(LINE_END)) out += `data: ${line}\n`;
  return `${out}\n`;
}

function singleLine(value: string, field: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`an event's ${field} cannot contain a line break`);
  return value;
}

/**
 * Incremental parser per the WHATWG EventSource rules: fields, comments, multi-line data, CR/LF/CRLF line ends.
 * `feed` takes text cut anywhere and returns the events its blank lines completed. An event the stream ends
 * before completing is dropped, as the standard says: there is nothing to flush.
 */
export class EventStreamParser {
  private rest = "";
  private data: string[] = [];
  private event: string | undefined;
  private lastId: string | undefined;
  /** The text fed so far ended on CR: a LF starting the next text belongs to that line end. */
  private afterCR = false;

  feed(text: string): ServerSentEvent[] {
    if (this.afterCR && text) {
      this.afterCR = false;
      if (text.startsWith("\n")) text = text.slice(1);
    }
    const buffer = this.rest + text;
    const events: ServerSentEvent[] = [];
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let m = LINE_END.exec(buffer); m; m = LINE_END.exec(buffer)) {
      this.line(buffer.slice(start, m.index), events);
      start = m.index + m[0].length;
      if (m[0] === "\r" && start === buffer.length) this.afterCR = true;
    }
    this.rest = buffer.slice(start);
    return events;
  }

  private line(line: string, events: ServerSentEvent[]): void {
    if (line === "") {
      if (this.data.length)
        events.push({ event: this.event, data: this.data.join("\n"), ...(this.lastId !== undefined && { id: this.lastId }) });
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
  }
}

/**
 * The events of a byte stream (a fetch body, a Node stream, or any async iterable of bytes or text), each
 * yielded as soon as its blank line arrives. Stopping early cancels the stream, releasing its connection.
 */
export async function* readEvents(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>): AsyncGenerator<ServerSentEvent> {
  const parser = new EventStreamParser();
  const decoder = new TextDecoder();
  const chunks = isReadableStream(body) ? readerChunks(body) : body[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await chunks.next();
      if (done) break;
      yield* parser.feed(typeof value === "string" ? value : decoder.decode(value, { stream: true }));
    }
    yield* parser.feed(decoder.decode());
    finished = true;
  } finally {
    if (!finished) await chunks.return?.(undefined)?.catch(() => {});
  }
}

function isReadableStream(body: object): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream).getReader === "function";
}

/** A reader as an iterator; not every browser makes ReadableStream async-iterable. */
function readerChunks(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array, undefined> {
  const reader = stream.getReader();
  return {
    next: async () => {
      const r = await reader.read();
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}
