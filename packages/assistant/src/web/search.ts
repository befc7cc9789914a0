import { type Dispatcher, request } from "undici";

export interface WebResult {
  title: string;
  url: string;
  snippet: string;
}

export interface WebSearchConfig {
  provider: "searxng" | "brave" | "tavily" | "bing";
  /** Required for SearXNG (your instance); the others default to their public API. */
  baseURL?: string;
  apiKey?: string;
}

export class WebSearchError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const defaults = {
  brave: "https://api.search.brave.com",
  tavily: "https://api.tavily.com",
  bing: "https://api.bing.microsoft.com",
} as const;

/** Calls a search API and reads its JSON answer, which the caller describes as `T`. */
async function call<T>(
  provider: string,
  url: string,
  init: { method?: "GET" | "POST"; headers: Record<string, string>; body?: string },
  signal?: AbortSignal,
): Promise<T> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: init.method ?? "GET",
      headers: { accept: "application/json", ...init.headers },
      ...(init.body && { body: init.body }),
      signal: signal ?? AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new WebSearchError(502, `${provider} is unreachable: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  if (res.statusCode >= 400) {
    let detail = text.slice(0, 200);
    try {
      const j = JSON.parse(text);
      detail = j.error?.message ?? j.error?.detail ?? j.detail?.error ?? j.message ?? (typeof j.error === "string" ? j.error : detail);
    } catch {
      // not JSON: keep the text
    }
    const why =
      provider === "SearXNG" && res.statusCode === 403
        ? "the instance does not serve JSON: add json to search.formats in its settings.yml"
        : res.statusCode === 401 || res.statusCode === 403
          ? "the API key was refused"
          : res.statusCode === 429
            ? "rate limited"
            : `HTTP ${res.statusCode}`;
    throw new WebSearchError(
      res.statusCode === 429 ? 429 : 502,
      `${provider}: ${why}${detail && !detail.startsWith("<") ? ` (${detail})` : ""}`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new WebSearchError(502, `${provider} answered something that is not JSON`);
  }
}

/** Searches the web through the configured provider, as each one documents its API. */
export async function webSearch(c: WebSearchConfig, query: string, count = 5, signal?: AbortSignal): Promise<WebResult[]> {
  const q = encodeURIComponent(query);
  switch (c.provider) {
    case "searxng": {
      if (!c.baseURL) throw new WebSearchError(500, "SearXNG needs baseURL: your instance's address");
      const j = await call<{ results?: Array<{ title: string; url: string; content?: string }> }>(
        "SearXNG",
        `${c.baseURL.replace(/\/+$/, "")}/search?q=${q}&format=json`,
        { headers: {} },
        signal,
      );
      return (j.results ?? []).slice(0, count).map((r) => ({ title: r.title, url: r.url, snippet: r.content ?? "" }));
    }
    case "brave": {
      const j = await call<{ web?: { results?: Array<{ title: string; url: string; description?: string }> } }>(
        "Brave Search",
        `${(c.baseURL ?? defaults.brave).replace(/\/+$/, "")}/res/v1/web/search?q=${q}&count=${count}`,
        { headers: { "x-subscription-token": c.apiKey ?? "" } },
        signal,
      );
      return (j.web?.results ?? []).slice(0, count).map((r) => ({ title: r.title, url: r.url, snippet: r.description ?? "" }));
    }
    case "tavily": {
      const j = await call<{ results?: Array<{ title: string; url: string; content?: string }> }>(
        "Tavily",
        `${(c.baseURL ?? defaults.tavily).replace(/\/+$/, "")}/search`,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${c.apiKey ?? ""}` },
          body: JSON.stringify({ query, max_results: count }),
        },
        signal,
      );
      return (j.results ?? []).slice(0, count).map((r) => ({ title: r.title, url: r.url, snippet: r.content ?? "" }));
    }
    case "bing": {
      const j = await call<{ webPages?: { value?: Array<{ name: string; url: string; snippet?: string }> } }>(
        "Bing",
        `${(c.baseURL ?? defaults.bing).replace(/\/+$/, "")}/v7.0/search?q=${q}&count=${count}`,
        { headers: { "ocp-apim-subscription-key": c.apiKey ?? "" } },
        signal,
      );
      return (j.webPages?.value ?? []).slice(0, count).map((r) => ({ title: r.name, url: r.url, snippet: r.snippet ?? "" }));
    }
  }
}
