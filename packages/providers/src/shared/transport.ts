import { Agent, request } from "undici";

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

// One keep-alive connection pool per process. undici's request API skips the WHATWG fetch machinery (Request,
// Response and web-stream objects per call), which measured as the largest cost per proxied request.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });

export const undiciTransport: Transport = async (url, req) => {
  const res = await request(url, {
    method: req.method,
    headers: req.headers,
    body: req.body ?? null,
    signal: req.signal ?? null,
    dispatcher: agent,
  });
  return {
    status: res.statusCode,
    header: (name) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    },
    body: res.body,
    text: () => res.body.text(),
    json: () => res.body.json(),
  };
};

export const transportFor = (fetchImpl?: typeof fetch): Transport => (fetchImpl ? fetchTransport(fetchImpl) : undiciTransport);
