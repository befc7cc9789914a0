import type { AddressInfo } from "node:net";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";

/** What the server must release when it stops, closed in reverse order of opening. */
export class Closers {
  private readonly list: Array<() => Promise<unknown>> = [];

  push(close: () => Promise<unknown>): void {
    this.list.push(close);
  }

  /** Closes everything, last opened first; one that fails does not keep the others open. */
  async closeAll(log?: FastifyBaseLogger): Promise<void> {
    for (const close of this.list.splice(0).reverse()) await close().catch((err: Error) => log?.error(err.message));
  }
}

/** Listens, and says where: the URL to print, and the one the server's own calls use. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<{ url: string; selfUrl: string }> {
  await app.listen({ host, port });
  const bound = (app.server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
  // A wildcard address is not one to connect to: the server's own calls go to loopback.
  const selfUrl = host === "0.0.0.0" ? `http://127.0.0.1:${bound}` : host === "::" ? `http://[::1]:${bound}` : url;
  return { url, selfUrl };
}

/** Loads local weights now, so the first request does not wait for them. */
export function preloadProviders(providers: Iterable<{ name: string; preload?: () => Promise<void> }>, log?: FastifyBaseLogger): void {
  for (const p of providers) p.preload?.call(p).catch((err: Error) => log?.error({ provider: p.name }, err.message));
}
