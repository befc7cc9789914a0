// The floor for any Node gateway: a reverse proxy with no logic at all. It passes each request to the upstream
// with undici (kept-alive connections, as benih's providers use) and streams the answer back, nothing read,
// checked or logged. `node --import tsx bench/gateway/bare-proxy.ts PORT UPSTREAM_ORIGIN`
import { createServer } from "node:http";
import { Agent, request } from "undici";

const [port, upstream] = [Number(process.argv[2]), process.argv[3]!];
const agent = new Agent({ connections: 128 });

createServer((req, res) => {
  request(`${upstream}${req.url}`, {
    method: req.method as "POST",
    headers: { "content-type": req.headers["content-type"] ?? "application/json" },
    body: req.method === "GET" || req.method === "HEAD" ? null : req,
    dispatcher: agent,
  }).then(
    (up) => {
      res.writeHead(up.statusCode, { "content-type": String(up.headers["content-type"] ?? "application/json") });
      up.body.pipe(res);
    },
    (err: Error) => {
      res.writeHead(502).end(err.message);
    },
  );
}).listen(port, "127.0.0.1");
