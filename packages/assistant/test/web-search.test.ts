import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startFakeWebSearch, type FakeServer } from "@benih/fake-upstreams";
import { webSearch } from "../src/web/search.ts";

let fake: FakeServer;
const results = [
  { title: "Komodo dragon", url: "https://example.org/komodo", snippet: "The largest living lizard." },
  { title: "Komodo National Park", url: "https://example.org/park", snippet: "A UNESCO site in Indonesia." },
];
before(async () => {
  fake = await startFakeWebSearch({ key: "key-123", results });
});
after(() => fake.close());

describe("web search providers", () => {
  for (const provider of ["searxng", "brave", "tavily", "bing"] as const) {
    it(`${provider}: results as titles, links and snippets; a wrong key and a rate limit are named`, async () => {
      const c = { provider, baseURL: fake.url, apiKey: "key-123" };
      assert.deepEqual(
        await webSearch(c, "komodo", 5),
        results.map((r) => ({ title: r.title, url: r.url, snippet: r.snippet })),
      );
      assert.equal((await webSearch(c, "komodo", 1)).length, 1);
      await assert.rejects(
        webSearch(c, "rate-limit"),
        (e: Error & { status: number }) => e.status === 429 && /rate limited/.test(e.message),
      );
      if (provider !== "searxng") await assert.rejects(webSearch({ ...c, apiKey: "wrong" }, "komodo"), /the API key was refused/);
    });
  }
  it("searxng without the json format enabled says how to enable it", async () => {
    const htmlOnly = await startFakeWebSearch({ key: "k", results, searxngJson: false });
    try {
      await assert.rejects(webSearch({ provider: "searxng", baseURL: htmlOnly.url }, "x"), {
        message: "SearXNG: the instance does not serve JSON: add json to search.formats in its settings.yml",
      });
    } finally {
      await htmlOnly.close();
    }
  });
});
