import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Agent, request } from "undici";
import { htmlToText } from "../knowledge/extract.ts";
import { addressRefusal } from "./address.ts";

export class FetchRefused extends Error {}

export interface SafeFetchOptions {
  /** Hosts (host or host:port) the operator allows even though they resolve to refused addresses. */
  allow?: readonly string[];
  maxRedirects?: number;
  maxBytes?: number;
  timeoutMs?: number;
  /** Resolves a host name to its addresses (tests point names at chosen addresses). */
  resolve?: (host: string) => Promise<string[]>;
}

export interface FetchedPage {
  url: string;
  title: string | undefined;
  text: string;
  contentType: string;
}

const defaultResolve = async (host: string) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Fetches a web page for the assistant without letting a URL reach inside the network: every address the host
 * resolves to is checked (loopback, private, link-local and metadata addresses are refused, unless allowed), the
 * connection goes to the address that was checked (so DNS cannot answer differently a moment later), and each
 * redirect is checked again. Returns the page's readable text.
 */
export async function safeFetch(input: string, o: SafeFetchOptions = {}): Promise<FetchedPage> {
  const resolve = o.resolve ?? defaultResolve;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FetchRefused(`${input} is not a URL`);
  }
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new FetchRefused(`${url.protocol} URLs are not fetched: only http and https`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const allowed = o.allow?.includes(url.host) || o.allow?.includes(host);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolve(host);
    } catch (err) {
      throw new FetchRefused(`${host} does not resolve: ${(err as Error).message}`);
    }
    if (!addresses.length) throw new FetchRefused(`${host} does not resolve`);
    if (!allowed) {
      for (const a of addresses) {
        const why = addressRefusal(a);
        if (why) throw new FetchRefused(`refused to fetch ${url.href}: ${host === a ? why : `${host} resolves to ${a}, and ${why.slice(a.length + 1)}`}`);
      }
    }
    const pinned = addresses[0]!;
    const dispatcher = new Agent({
      connect: { lookup: (_name, _opts, cb) => cb(null, [{ address: pinned, family: isIP(pinned) as 4 | 6 }]) },
    });
    try {
      const res = await request(url, {
        dispatcher,
        headers: { "user-agent": "benih (+https://github.com/benih)", accept: "text/html,text/plain;q=0.9,*/*;q=0.1" },
        signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
      });
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump();
        if (hop >= (o.maxRedirects ?? 5)) throw new FetchRefused(`${input} redirects more than ${o.maxRedirects ?? 5} times`);
        url = new URL(String(res.headers.location), url);
        continue;
      }
      if (res.statusCode >= 400) {
        await res.body.dump();
        throw new FetchRefused(`${url.href} answered HTTP ${res.statusCode}`);
      }
      const contentType = String(res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (contentType && !/^(text\/(html|plain|markdown)|application\/xhtml\+xml)$/.test(contentType)) {
        await res.body.dump();
        throw new FetchRefused(`${url.href} is ${contentType}, not a page with text`);
      }
      const limit = o.maxBytes ?? 2 * 1024 * 1024;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > limit) {
          res.body.destroy();
          break;
        }
        chunks.push(c as Buffer);
      }
      const raw = Buffer.concat(chunks).toString("utf8");
      if (contentType === "text/plain" || contentType === "text/markdown") return { url: url.href, title: undefined, text: raw, contentType };
      const { title, text } = htmlToText(raw);
      return { url: url.href, title, text, contentType: contentType || "text/html" };
    } finally {
      void dispatcher.close();
    }
  }
}
