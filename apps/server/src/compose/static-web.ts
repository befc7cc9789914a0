import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { access, declareAll } from "@benih/gateway";
import type { FastifyInstance, FastifyReply } from "fastify";

/** The web app's build (apps/web, built by `npm ci`); one build for every market, which it asks about at load. */
const webDist = fileURLToPath(new URL("../../../web/dist", import.meta.url));

/** Serves the web app and the dashboard's pages, or says how to build it. */
export function serveWebApp(app: FastifyInstance): void {
  if (existsSync(`${webDist}/index.html`)) {
    // The web app's files and pages are public; what they show comes from routes that ask for a key.
    void app.register(async (files) => {
      declareAll(files, "public");
      await files.register(fastifyStatic, {
        root: webDist,
        index: "index.html",
        wildcard: false,
        cacheControl: false,
        setHeaders: (res, path) => {
          // Hashed asset names change with their content; the page itself must always be asked for again.
          res.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
      // The dashboard's pages are routes of the one-page app: each gets the page, which shows the route.
      const page = async (_request: unknown, reply: FastifyReply) => reply.header("cache-control", "no-cache").sendFile("index.html");
      files.get("/admin", page);
      files.get("/admin/*", page);
    });
    return;
  }
  app.get("/", access("public"), async (_request, reply) =>
    reply
      .code(503)
      .type("text/plain; charset=utf-8")
      .send("The web app is not built: run `npm run build -w @benih/web` (npm ci does it).\n"),
  );
}
