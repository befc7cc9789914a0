import { Agent, type Dispatcher } from "undici";

/** What providers need from an HTTP response: status, headers, and a body to read whole or as chunks. */
export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  /** Chunks as they arrive. Breaking out of the loop releases the connection. */
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface HttpRequest {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Sends a request; rejects only when no response arrived (network failure, abort). */
export type Transport = (url: string, req: HttpRequest) => Promise<HttpResponse>;

/** Adapts a WHATWG `fetch` (injected by tests or by users who need their own) to a transport. */
export function fetchTransport(fetchImpl: typeof fetch): Transport {
  return async (url, req) => {
    const res = await fetchImpl(url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined && { body: req.body }),
      ...(req.signal && { signal: req.signal }),
    });
    return {
      status: res.status,
      header: (name) => res.headers.get(name) ?? undefined,
      body: (res.body ?? emptyBody()) as unknown as AsyncIterable<Uint8Array>,
      text: () => res.text(),
      json: () => res.json(),
    };
  };
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

// One keep-alive connection pool per process.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });

/** A URL as undici's dispatch wants it, parsed once per URL (providers call the same few URLs). */
const parsedUrls = new Map<string, { origin: string; path: string }>();
function parseUrl(url: string): { origin: string; path: string } {
  let p = parsedUrls.get(url);
  if (!p) {
    const u = new URL(url);
    p = { origin: u.origin, path: `${u.pathname}${u.search}` };
    if (parsedUrls.size >= 1_000) parsedUrls.clear();
    parsedUrls.set(url, p);
  }
  return p;
}

/** A response body held until read: past this many bytes unread, the upstream is paused. */
const HIGH_WATER_BYTES = 64 * 1024;
const BOM = 0xfeff;

class ResponseAborted extends Error {
  constructor() {
    super("the response body was not read to its end");
    this.name = "AbortError";
  }
}

/**
 * One request on undici's dispatch API: the handler is the response. undici's `request()` wraps every answer in a
 * Node stream (and an async resource, an abort listener, a copy of the options); a proxied request has no use for
 * them, and they measured as much of the gateway's own time per request.
 */
class Exchange implements Dispatcher.DispatchHandler, HttpResponse, AsyncIterator<Uint8Array> {
  status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private controller: Dispatcher.DispatchController | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | null = null;
  /** Set until the response starts. */
  private started: { resolve(r: HttpResponse): void; reject(err: unknown): void } | null;
  /** A reader waiting for the next chunk or for the end. */
  private waiter: (() => void) | null = null;
  private whole = false;

  constructor(
    private readonly signal: AbortSignal | undefined,
    resolve: (r: HttpResponse) => void,
    reject: (err: unknown) => void,
  ) {
    this.started = { resolve, reject };
    signal?.addEventListener("abort", this);
  }

  /** The signal aborted: before a response, the caller hears at once; the request stops whenever it started. */
  handleEvent(): void {
    const reason = (this.signal!.reason as Error | undefined) ?? new ResponseAborted();
    this.fail(reason);
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.failure) controller.abort(this.failure);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
    const started = this.started;
    this.started = null;
    started?.resolve(this);
    if (!started) controller.abort(this.failure ?? new ResponseAborted());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (!this.whole && this.buffered > HIGH_WATER_BYTES) controller.pause();
    this.wake();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.signal?.removeEventListener("abort", this);
    this.wake();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }

  private fail(err: Error): void {
    if (this.ended || this.failure) return;
    this.failure = err;
    this.signal?.removeEventListener("abort", this);
    const started = this.started;
    this.started = null;
    started?.reject(err);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private settled(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  header(name: string): string | undefined {
    const v = this.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  get body(): AsyncIterable<Uint8Array> {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    while (!this.chunks.length && !this.ended && !this.failure) {
      this.controller?.resume();
      await this.settled();
    }
    const chunk = this.chunks.shift();
    if (chunk) {
      this.buffered -= chunk.length;
      if (this.buffered <= HIGH_WATER_BYTES) this.controller?.resume();
      return { value: chunk, done: false };
    }
    if (this.failure) throw this.failure;
    return { value: undefined, done: true };
  }

  /** The reader stopped early: the rest of the answer is not wanted, and the connection is let go. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.ended && !this.failure) {
      const reason = new ResponseAborted();
      this.fail(reason);
      this.controller?.abort(reason);
    }
    this.chunks = [];
    return { value: undefined, done: true };
  }

  async text(): Promise<string> {
    this.whole = true;
    this.controller?.resume();
    while (!this.ended && !this.failure) await this.settled();
    if (this.failure) throw this.failure;
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    const text = bytes.toString("utf8");
    // As fetch's text() does: a leading byte-order mark is not part of the text.
    return text.charCodeAt(0) === BOM ? text.slice(1) : text;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

export const undiciTransport: Transport = (url, req) => {
  const { signal } = req;
  if (signal?.aborted) return Promise.reject(signal.reason ?? new ResponseAborted());
  const { origin, path } = parseUrl(url);
  return new Promise((resolve, reject) => {
    const exchange = new Exchange(signal, resolve, reject);
    try {
      agent.dispatch({ origin, path, method: req.method, headers: req.headers, body: req.body ?? null }, exchange);
    } catch (err) {
      exchange.onResponseError(null as never, err as Error);
    }
  });
};

export const transportFor = (fetchImpl?: typeof fetch): Transport => (fetchImpl ? fetchTransport(fetchImpl) : undiciTransport);
