import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Agent, request, type Dispatcher } from "undici";
import { htmlToText } from "../knowledge/extract.ts";
import { addressRefusal } from "./address.ts";
import { ACCEPT_ENCODING, BodyRefused, readBody } from "./body.ts";

export class FetchRefused extends Error {
  constructor(
    message: string,
    /** Whether trying again later may work (the name did not resolve, the server answered 429 or 5xx). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

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
 * Requests a URL without letting it reach inside the network: every address the host resolves to is checked
 * (loopback, private, link-local and metadata addresses are refused, unless allowed), the connection goes to the
 * address that was checked (so DNS cannot answer differently a moment later), and each redirect is checked again.
 * `headers` go to the first URL's origin only, never to where it redirects elsewhere. `read` gets the final
 * answer (any status but a redirect) while its connection is open.
 */
async function guardedRequest<T>(
  input: string,
  o: SafeFetchOptions & { headers?: Record<string, string> },
  read: (res: Dispatcher.ResponseData, url: URL) => Promise<T>,
): Promise<T> {
  const resolve = o.resolve ?? defaultResolve;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FetchRefused(`${input} is not a URL`);
  }
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new FetchRefused(`${url.protocol} URLs are not fetched: only http and https`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const allowed = o.allow?.includes(url.host) || o.allow?.includes(host);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolve(host);
    } catch (err) {
      throw new FetchRefused(`${host} does not resolve: ${(err as Error).message}`, true);
    }
    if (!addresses.length) throw new FetchRefused(`${host} does not resolve`, true);
    if (!allowed) {
      for (const a of addresses) {
        const why = addressRefusal(a);
        if (why)
          throw new FetchRefused(
            `refused to fetch ${url.href}: ${host === a ? why : `${host} resolves to ${a}, and ${why.slice(a.length + 1)}`}`,
          );
      }
    }
    const pinned = addresses[0]!;
    const dispatcher = new Agent({
      connect: { lookup: (_name, _opts, cb) => cb(null, [{ address: pinned, family: isIP(pinned) as 4 | 6 }]) },
    });
    try {
      const res = await request(url, {
        dispatcher,
        headers: {
          "user-agent": "benih (+https://github.com/benih)",
          "accept-encoding": ACCEPT_ENCODING,
          ...(url.origin === origin && o.headers),
        },
        signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
      });
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump();
        if (hop >= (o.maxRedirects ?? 5)) throw new FetchRefused(`${input} redirects more than ${o.maxRedirects ?? 5} times`);
        url = new URL(String(res.headers.location), url);
        continue;
      }
      try {
        return await read(res, url);
      } catch (err) {
        throw err instanceof BodyRefused ? new FetchRefused(`${url.href}: ${err.message}`) : err;
      }
    } finally {
      void dispatcher.close();
    }
  }
}

/** Fetches a web page for the assistant through the SSRF guard; returns its readable text. */
export async function safeFetch(input: string, o: SafeFetchOptions = {}): Promise<FetchedPage> {
  return guardedRequest(input, { ...o, headers: { accept: "text/html,text/plain;q=0.9,*/*;q=0.1" } }, async (res, url) => {
    if (res.statusCode >= 400) {
      await res.body.dump();
      throw new FetchRefused(`${url.href} answered HTTP ${res.statusCode}`);
    }
    const contentType = String(res.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim()
      .toLowerCase();
    if (contentType && !/^(text\/(html|plain|markdown)|application\/xhtml\+xml)$/.test(contentType)) {
      await res.body.dump();
      throw new FetchRefused(`${url.href} is ${contentType}, not a page with text`);
    }
    // A page longer than the limit is cut there: its beginning is what a prompt has room for anyway.
    const raw = (await readBody(res.body, res.headers["content-encoding"], o.maxBytes ?? 2 * 1024 * 1024, "truncate")).toString("utf8");
    if (contentType === "text/plain" || contentType === "text/markdown") return { url: url.href, title: undefined, text: raw, contentType };
    const { title, text } = htmlToText(raw);
    return { url: url.href, title, text, contentType: contentType || "text/html" };
  });
}

/**
 * Downloads a file through the SSRF guard, whole or not at all: larger than `maxBytes` (decoded) is refused.
 * `headers` (a provider's authorization) go to the URL's own origin only.
 */
export async function safeDownload(
  input: string,
  o: SafeFetchOptions & { headers?: Record<string, string> } = {},
): Promise<{ url: string; bytes: Buffer; contentType: string }> {
  return guardedRequest(input, o, async (res, url) => {
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new FetchRefused(`${url.href} answered HTTP ${res.statusCode}`, res.statusCode === 429 || res.statusCode >= 500);
    }
    const bytes = await readBody(res.body, res.headers["content-encoding"], o.maxBytes ?? 2 * 1024 * 1024, "refuse");
    return { url: url.href, bytes, contentType: String(res.headers["content-type"] ?? "") };
  });
}
