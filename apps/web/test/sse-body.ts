// Fakes of what the server sends, for the API client's tests.

/** A response body that arrives in these pieces, cut wherever the test says (even inside a character). */
export function chunkedBody(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else controller.close();
    },
  });
}

/** The bytes of `text` cut at these byte offsets. */
export function cutAt(text: string, offsets: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const ends = [...offsets, bytes.length];
  return ends.map((end, n) => bytes.slice(n ? ends[n - 1] : 0, end));
}

/** Every request the app made, and a fetch that answers each with the next of `responses`. */
export function fakeFetch(...responses: Array<() => Response>) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetch = async (url: string | URL | Request, init: RequestInit = {}) => {
    requests.push({ url: String(url), init });
    const next = responses.shift();
    if (!next) throw new Error(`unexpected request to ${String(url)}`);
    return next();
  };
  return { fetch, requests };
}
