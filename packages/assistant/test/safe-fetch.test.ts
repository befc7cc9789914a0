import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { addressRefusal } from "../src/web/address.ts";
import { safeFetch } from "../src/web/safe-fetch.ts";

// A server inside "the network" (loopback), holding a secret: no URL may get a fetch to read it.
let inside: Server;
let insideUrl: string;
let hits = 0;
// A site the operator allows (also on loopback here), which redirects inward on /go.
let site: Server;
let siteUrl: string;

const listen = (s: Server) => new Promise<string>((r) => s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}`)));
before(async () => {
  inside = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "text/plain" }).end("the secret");
  });
  insideUrl = await listen(inside);
  site = createServer((req, res) => {
    if (req.url === "/go") return void res.writeHead(302, { location: `${insideUrl}/admin` }).end();
    if (req.url === "/hop") return void res.writeHead(301, { location: "/page" }).end();
    if (req.url === "/image") return void res.writeHead(200, { "content-type": "image/png" }).end("png");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<html><head><title>Komodo</title><style>p{}</style></head><body><p>Komodo dragons are lizards.</p></body></html>");
  });
  siteUrl = await listen(site);
});
after(() => {
  inside.close();
  site.close();
});

describe("safeFetch", () => {
  it("refuses loopback, private, link-local and metadata addresses, written any way, without connecting", async () => {
    const port = new URL(insideUrl).port;
    for (const [url, why] of [
      [`http://127.0.0.1:${port}/`, /127\.0\.0\.1 is a loopback address/],
      ["http://10.0.0.1/", /10\.0\.0\.1 is a private address/],
      ["http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a cloud metadata address/],
      [`http://[::1]:${port}/`, /::1 is a loopback address/],
      [`http://[::ffff:127.0.0.1]:${port}/`, /is a loopback address/],
      ["http://192.168.1.1/", /private/],
      ["http://[fd12::1]/", /private/],
      ["http://0.0.0.0/", /reserved/],
      ["file:///etc/passwd", /file: URLs are not fetched/],
    ] as const) {
      await assert.rejects(safeFetch(url), why, url);
    }
    assert.equal(hits, 0, "nothing inside was reached");
  });

  it("checks what a host name resolves to: a name pointing at loopback is refused", async () => {
    const port = new URL(insideUrl).port;
    await assert.rejects(safeFetch(`http://localhost:${port}/`), /localhost resolves to (127\.0\.0\.1|::1), and is a loopback address/);
    const rebinding = async () => ["93.184.215.14", "127.0.0.1"]; // one public address is not enough: every one must pass
    await assert.rejects(safeFetch(`http://rebind.example:${port}/`, { resolve: rebinding }), /rebind\.example resolves to 127\.0\.0\.1/);
    assert.equal(hits, 0);
  });

  it("checks every redirect: an allowed site that redirects inward is refused at the redirect", async () => {
    const allow = [new URL(siteUrl).host];
    await assert.rejects(safeFetch(`${siteUrl}/go`, { allow }), new RegExp(`refused to fetch ${insideUrl.replace(/[.]/g, "\\.")}/admin: 127\\.0\\.0\\.1 is a loopback address`));
    assert.equal(hits, 0);
    const page = await safeFetch(`${siteUrl}/hop`, { allow });
    assert.deepEqual([page.url, page.title, page.text], [`${siteUrl}/page`, "Komodo", "Komodo dragons are lizards."]);
    await assert.rejects(safeFetch(`${siteUrl}/image`, { allow }), /is image\/png, not a page with text/);
  });

  it("classifies addresses", () => {
    assert.equal(addressRefusal("93.184.215.14"), undefined);
    assert.equal(addressRefusal("2606:4700::1111"), undefined);
    assert.match(addressRefusal("172.20.3.4")!, /private/);
    assert.match(addressRefusal("fe80::1")!, /link-local/);
    assert.match(addressRefusal("100.64.0.1")!, /reserved/);
  });
});
