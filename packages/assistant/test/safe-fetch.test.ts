import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from "node:zlib";
import { addressRefusal } from "../src/web/address.ts";
import { safeDownload, safeFetch } from "../src/web/safe-fetch.ts";

// A server inside "the network" (loopback), holding a secret: no URL may get a fetch to read it.
let inside: Server;
let insideUrl: string;
let hits = 0;
// A site the operator allows (also on loopback here), which redirects inward on /go.
let site: Server;
let siteUrl: string;
// A site serving compressed pages, an endless gzip stream of zeros (a decompression bomb), and a file.
let packed: Server;
let packedUrl: string;
let bombClosedEarly: Promise<boolean>;
const seenAuth: Array<string | undefined> = [];

const listen = (s: Server) =>
  new Promise<string>((r) => s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}`)));
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
    if (req.url === "/landing")
      return void (seenAuth.push(req.headers.authorization ?? "none at the other origin"), res.writeHead(200).end("ok"));
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end("<html><head><title>Komodo</title><style>p{}</style></head><body><p>Komodo dragons are lizards.</p></body></html>");
  });
  siteUrl = await listen(site);
  const page = "<html><head><title>Packed</title></head><body><p>Decoded before it reaches a prompt.</p></body></html>";
  let bombDone: (early: boolean) => void;
  bombClosedEarly = new Promise((r) => (bombDone = r));
  packed = createServer((req, res) => {
    const html = (encoding: string, body: Buffer) =>
      res.writeHead(200, { "content-type": "text/html", "content-encoding": encoding }).end(body);
    if (req.url === "/gzip") return html("gzip", gzipSync(page));
    if (req.url === "/deflate") return html("deflate", deflateSync(page));
    if (req.url === "/br") return html("br", brotliCompressSync(page));
    if (req.url === "/twice") return html("gzip, br", brotliCompressSync(gzipSync(page)));
    if (req.url === "/zstd") return html("zstd", Buffer.from("not really zstd"));
    if (req.url === "/broken") return html("gzip", Buffer.from("not gzip at all"));
    if (req.url === "/file") {
      seenAuth.push(req.headers.authorization);
      return void res.writeHead(200, { "content-type": "video/mp4", "content-encoding": "gzip" }).end(gzipSync(Buffer.alloc(4096, 7)));
    }
    if (req.url === "/moved") {
      seenAuth.push(req.headers.authorization);
      return void res.writeHead(302, { location: `${siteUrl}/landing` }).end();
    }
    if (req.url === "/bomb") {
      // Zeros for ever, gzipped (about 1000:1): only a reader that stops at its limit gets to the end of this.
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      const gz = createGzip();
      gz.pipe(res);
      const zeros = Buffer.alloc(256 * 1024);
      let open = true;
      const pump = () => {
        while (open && gz.write(zeros));
        if (open) gz.once("drain", pump);
      };
      res.on("close", () => {
        open = false;
        gz.destroy();
        bombDone(!res.writableFinished);
      });
      return pump();
    }
    res.writeHead(404).end();
  });
  packedUrl = await listen(packed);
});
after(() => {
  inside.close();
  site.close();
  packed.close();
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
    await assert.rejects(
      safeFetch(`${siteUrl}/go`, { allow }),
      new RegExp(`refused to fetch ${insideUrl.replace(/[.]/g, "\\.")}/admin: 127\\.0\\.0\\.1 is a loopback address`),
    );
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

  it("refuses every range IANA's special-purpose registries mark as not global, and IPv4 hidden inside IPv6", () => {
    for (const [address, why] of [
      // IPv4
      ["0.0.0.0", /reserved/],
      ["0.1.2.3", /reserved/],
      ["10.255.255.255", /private/],
      ["100.64.0.1", /reserved/],
      ["100.127.255.254", /reserved/],
      ["100.100.100.200", /cloud metadata/],
      ["127.0.0.1", /loopback/],
      ["127.255.255.254", /loopback/],
      ["169.254.0.1", /link-local/],
      ["169.254.169.254", /cloud metadata/],
      ["172.16.0.1", /private/],
      ["172.31.255.255", /private/],
      ["192.0.0.8", /reserved/],
      ["192.0.0.170", /reserved/],
      ["192.0.2.1", /reserved/],
      ["192.88.99.1", /reserved/],
      ["192.168.0.1", /private/],
      ["198.18.0.1", /reserved/],
      ["198.19.255.255", /reserved/],
      ["198.51.100.7", /reserved/],
      ["203.0.113.7", /reserved/],
      ["224.0.0.1", /reserved/],
      ["239.255.255.250", /reserved/],
      ["240.0.0.1", /reserved/],
      ["255.255.255.255", /reserved/],
      // IPv6
      ["::", /reserved/],
      ["::1", /loopback/],
      ["0:0:0:0:0:0:0:1", /loopback/],
      ["fe80::1", /link-local/],
      ["fe80::1%eth0", /link-local/],
      ["febf::1", /link-local/],
      ["fec0::1", /private/], // site-local
      ["feff::1", /private/],
      ["fc00::1", /private/],
      ["fd12::1", /private/],
      ["fd00:ec2::254", /cloud metadata/],
      ["ff02::1", /reserved/],
      ["100::1", /reserved/], // discard-only
      ["100:0:0:1::1", /reserved/], // dummy prefix
      ["2001::1", /reserved/], // Teredo
      ["2001:2::1", /reserved/], // benchmarking
      ["2001:10::1", /reserved/], // ORCHID
      ["2001:db8::1", /reserved/], // documentation
      ["3fff::1", /reserved/], // documentation
      ["5f00::1", /reserved/], // SRv6
      ["4000::1", /reserved/], // not allocated
      ["::ffff:127.0.0.1", /loopback address \(IPv4 127\.0\.0\.1 inside IPv6\)/], // IPv4-mapped
      ["::ffff:7f00:1", /loopback/],
      ["::ffff:a9fe:a9fe", /cloud metadata/],
      ["::ffff:10.1.2.3", /private/],
      ["::7f00:1", /loopback address \(IPv4 127\.0\.0\.1/], // IPv4-compatible
      ["::127.0.0.1", /loopback/],
      ["::a9fe:a9fe", /cloud metadata address \(IPv4 169\.254\.169\.254/],
      ["::808:808", /reserved address \(it carries IPv4 8\.8\.8\.8/], // IPv4-compatible is never routed
      ["::ffff:0:7f00:1", /loopback address \(IPv4 127\.0\.0\.1/], // IPv4-translated
      ["::ffff:0:808:808", /reserved/],
      ["64:ff9b::7f00:1", /loopback/], // NAT64
      ["64:ff9b::a9fe:a9fe", /cloud metadata/],
      ["64:ff9b::c0a8:101", /private address \(IPv4 192\.168\.1\.1/],
      ["64:ff9b::10.0.0.1", /private/],
      ["64:ff9b:1::808:808", /reserved/], // local-use NAT64, whatever it carries
      ["64:ff9b:1:ffff::1", /reserved/],
      ["2002:7f00:1::1", /loopback address \(IPv4 127\.0\.0\.1/], // 6to4
      ["2002:a9fe:a9fe::", /cloud metadata/],
      ["2002:c0a8:101::1", /private/],
      ["2002::", /reserved/],
    ] as const) {
      assert.match(addressRefusal(address) ?? "allowed", why, address);
    }
    // Global addresses, also when NAT64, 6to4 or IPv4-mapped carry a global IPv4 address.
    for (const address of [
      "8.8.8.8",
      "1.1.1.1",
      "192.0.1.1",
      "192.31.196.1",
      "198.20.0.1",
      "223.255.255.1",
      "2a00:1450:4001::200e",
      "2620:4f:8000::1",
      "64:ff9b::808:808",
      "2002:808:808::1",
      "::ffff:8.8.8.8",
    ]) {
      assert.equal(addressRefusal(address), undefined, address);
    }
    assert.match(addressRefusal("example.com")!, /not an IP address/);
  });

  it("refuses the IPv4-inside-IPv6 forms as URLs, without connecting", async () => {
    const port = new URL(insideUrl).port;
    for (const host of ["::7f00:1", "::ffff:0:7f00:1", "::a9fe:a9fe", "64:ff9b::7f00:1", "64:ff9b:1::7f00:1", "2002:7f00:1::", "fec0::1"]) {
      await assert.rejects(
        safeFetch(`http://[${host}]:${port}/`),
        /refused to fetch .*: .* is a (loopback|cloud metadata|reserved|private) address/,
        host,
      );
    }
    assert.equal(hits, 0);
  });

  it("decodes gzip, deflate and br pages, and refuses codings it cannot decode", async () => {
    const allow = [new URL(packedUrl).host];
    for (const path of ["/gzip", "/deflate", "/br", "/twice"]) {
      const page = await safeFetch(`${packedUrl}${path}`, { allow });
      assert.deepEqual([page.title, page.text], ["Packed", "Decoded before it reaches a prompt."], path);
    }
    await assert.rejects(
      safeFetch(`${packedUrl}/zstd`, { allow }),
      /\/zstd: the body is encoded as zstd, which is not decoded \(only gzip, deflate and br\)/,
    );
    await assert.rejects(safeFetch(`${packedUrl}/broken`, { allow }), /\/broken: the body could not be read \(gzip\)/);
  });

  it("stops a decompression bomb at the limit on decoded bytes", async () => {
    const allow = [new URL(packedUrl).host];
    const before = process.memoryUsage().rss;
    const page = await safeFetch(`${packedUrl}/bomb`, { allow, maxBytes: 100_000 });
    assert.equal(page.text.length, 100_000);
    assert.match(page.text, /^\0+$/);
    assert.equal(await bombClosedEarly, true, "the reader hung up on a body without end");
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, "memory stayed near the limit");
  });

  it("downloads files whole or not at all, and keeps credentials on their own origin", async () => {
    const allow = [new URL(packedUrl).host, new URL(siteUrl).host];
    const file = await safeDownload(`${packedUrl}/file`, { allow, headers: { authorization: "Bearer provider-key" } });
    assert.deepEqual(file.bytes, Buffer.alloc(4096, 7));
    await assert.rejects(safeDownload(`${packedUrl}/file`, { allow, maxBytes: 4000 }), /\/file: the body is larger than 4000 bytes/);
    await assert.rejects(safeDownload(`${packedUrl}/file`), /refused to fetch .*: 127\.0\.0\.1 is a loopback address/);
    await safeDownload(`${packedUrl}/moved`, { allow, headers: { authorization: "Bearer provider-key" } });
    assert.deepEqual(seenAuth, ["Bearer provider-key", undefined, "Bearer provider-key", "none at the other origin"]);
  });
});
