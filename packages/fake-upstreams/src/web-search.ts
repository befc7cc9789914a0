import { json, startFake, type FakeServer } from "./server.ts";

/**
 * One loopback server speaking four web search APIs as their makers document them, each behind its own path and
 * auth: SearXNG (`GET /search?format=json`, 403 without the json format), Brave (`GET /res/v1/web/search`,
 * X-Subscription-Token), Tavily (`POST /search`, Bearer), Bing (`GET /v7.0/search`, Ocp-Apim-Subscription-Key).
 * The query "rate-limit" gets each one's 429. Results point at `pages`: the pages a test serves.
 */
export async function startFakeWebSearch(o: {
  key: string;
  results: Array<{ title: string; url: string; snippet: string }>;
  searxngJson?: boolean;
}): Promise<FakeServer> {
  return startFake(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://search");
    const q = url.searchParams.get("q") ?? (body?.query as string | undefined) ?? "";
    const limited = q === "rate-limit";
    if (url.pathname === "/search" && req.method === "GET") {
      if (url.searchParams.get("format") !== "json" || o.searxngJson === false)
        return void res.writeHead(403, { "content-type": "text/html" }).end("<h1>403 Forbidden</h1>");
      if (limited) return void res.writeHead(429, { "content-type": "text/html" }).end("Too Many Requests");
      return json(res, 200, {
        query: q,
        number_of_results: o.results.length,
        results: o.results.map((r) => ({ title: r.title, url: r.url, content: r.snippet, engine: "fake" })),
      });
    }
    if (url.pathname === "/res/v1/web/search") {
      if (req.headers["x-subscription-token"] !== o.key)
        return json(res, 401, {
          type: "ErrorResponse",
          error: { code: "SUBSCRIPTION_TOKEN_INVALID", detail: "The provided subscription token is invalid.", status: 401 },
        });
      if (limited)
        return json(res, 429, {
          type: "ErrorResponse",
          error: { code: "RATE_LIMITED", detail: "Request rate limit exceeded for plan.", status: 429 },
        });
      return json(res, 200, {
        type: "search",
        query: { original: q },
        web: { type: "search", results: o.results.map((r) => ({ title: r.title, url: r.url, description: r.snippet })) },
      });
    }
    if (url.pathname === "/search" && req.method === "POST") {
      if (req.headers.authorization !== `Bearer ${o.key}`)
        return json(res, 401, { detail: { error: "Unauthorized: missing or invalid API key." } });
      if (limited) return json(res, 429, { detail: { error: "Your request has been blocked due to excessive requests." } });
      return json(res, 200, {
        query: q,
        results: o.results.map((r) => ({ title: r.title, url: r.url, content: r.snippet, score: 0.9 })),
        response_time: 0.5,
      });
    }
    if (url.pathname === "/v7.0/search") {
      if (req.headers["ocp-apim-subscription-key"] !== o.key)
        return json(res, 401, { error: { code: "401", message: "Access denied due to invalid subscription key." } });
      if (limited) return json(res, 429, { error: { code: "429", message: "Rate limit is exceeded." } });
      return json(res, 200, {
        _type: "SearchResponse",
        webPages: { value: o.results.map((r) => ({ name: r.title, url: r.url, snippet: r.snippet })) },
      });
    }
    return json(res, 404, { error: "not found" });
  });
}
