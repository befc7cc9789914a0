// A fake of the server's admin routes for the admin pages' tests: answers by method and path, and keeps every request
// with the headers and body it was sent with.

export interface Sent {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (req: Sent) => Response | Promise<Response>;

export const json = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** `routes` keyed "METHOD /path" (no query); a request to any other is a test failure, answered 599. */
export function fakeServer(routes: Record<string, Handler>) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://benih.test");
    const method = (init.method ?? "GET").toUpperCase();
    const req: Sent = {
      method,
      url,
      headers: { ...(init.headers as Record<string, string> | undefined) },
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    sent.push(req);
    const exact = routes[`${method} ${url.pathname}`];
    const pattern = Object.entries(routes).find(([k]) => {
      const [m, p] = k.split(" ");
      return m === method && p!.includes(":") && new RegExp(`^${p!.replace(/:\w+/g, "[^/]+")}$`).test(url.pathname);
    })?.[1];
    const handler = exact ?? pattern;
    return handler ? handler(req) : json(599, { error: { message: `no route ${method} ${url.pathname}` } });
  };
  /** The requests to `method path`. */
  const to = (method: string, path: string) => sent.filter((s) => s.method === method && s.url.pathname === path);
  return { fetch, sent, to };
}
