/** One request of a load: when it began and ended (epoch ms), and how it went. */
export interface Outcome {
  kind: string;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  detail?: string;
  /** For a conversation: its id, and the answer's text as the client saw it. */
  conversation?: string;
  text?: string;
}

const STORY = "Rice grows in terraces on the hills of Bali.";

async function quick(url: string): Promise<Partial<Outcome>> {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "quick", messages: [{ role: "user", content: "hi" }] }),
  });
  const body = await r.text();
  return { ok: r.status === 200 && body.includes("Hello from ok"), detail: `${r.status} ${body.slice(0, 200)}` };
}

/** A conversation answered by a short story, streamed (about half a second). */
async function conversation(url: string): Promise<Partial<Outcome>> {
  const made = await fetch(`${url}/v1/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "short-story" }),
  });
  if (made.status !== 201 && made.status !== 200) return { ok: false, detail: `create ${made.status}` };
  const id = ((await made.json()) as { id: string }).id;
  const r = await fetch(`${url}/v1/conversations/${id}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content: "Tell me about rice" }),
  });
  const events = await r.text();
  const text = [...events.matchAll(/event: delta\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!).text as string).join("");
  const done = /event: done\ndata: (.*)\n\n/.exec(events);
  const status = done && (JSON.parse(done[1]!) as { status: string }).status;
  return { ok: r.status === 200 && status === "done" && text === STORY, conversation: id, text, detail: `${r.status} ${status} ${text}` };
}

export const shortStory = STORY;

/** `workers` loops of requests through `url` (one in five a streamed conversation) until `stop()`. */
export function startLoad(url: string, workers = 6) {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (!stopped) {
      const kind = w === 0 ? "conversation" : "quick";
      const startedAt = Date.now();
      const r = await (kind === "conversation" ? conversation(url) : quick(url)).catch((err: Error) => ({
        ok: false,
        detail: `${err.message} ${(err.cause as Error | undefined)?.message ?? ""}`,
      }));
      outcomes.push({ kind, startedAt, endedAt: Date.now(), ok: false, ...r });
    }
  });
  return {
    outcomes,
    async stop(): Promise<Outcome[]> {
      stopped = true;
      await Promise.all(loops);
      return outcomes;
    },
  };
}
