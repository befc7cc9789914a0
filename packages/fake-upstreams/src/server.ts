import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: any;
  /** True once the client closed the connection before the response ended: the upstream saw the abort. */
  aborted: boolean;
  /** The body's bytes as they came (for multipart and binary bodies). */
  raw: Buffer;
}

export interface FakeServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: any, seen: SeenRequest) => void | Promise<void>;

/** A loopback HTTP server that records every request and whether its client went away mid-answer. */
export async function startFake(handler: Handler): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // keep raw text
    }
    const entry: SeenRequest = { path: req.url ?? "", headers: req.headers, body, aborted: false, raw: bytes };
    seen.push(entry);
    res.on("close", () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    try {
      await handler(req, res, body, entry);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
