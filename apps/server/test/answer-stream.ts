import assert from "node:assert/strict";

/** The text of an answer's `delta` events, in the order they came. */
export const shownText = (events: string) =>
  [...events.matchAll(/event: delta\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!).text as string).join("");

/**
 * Asks a running server for an answer in a new conversation of `model`, as the web app does: the conversation's
 * id, and the answer's event stream to read.
 */
export async function askInNewConversation(url: string, model: string, question = "Tell me a story") {
  const made = await fetch(`${url}/v1/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model }),
  });
  const conversation = ((await made.json()) as { id: string }).id;
  const res = await fetch(`${url}/v1/conversations/${conversation}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: question }),
  });
  assert.equal(res.status, 200);
  return { conversation, events: res.body!.pipeThrough(new TextDecoderStream()).getReader() };
}
