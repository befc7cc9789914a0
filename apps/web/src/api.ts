// The benih server's HTTP API, as the web app uses it: the market serving this host, its models, and streamed
// chat completions (OpenAI's SSE chunks).
export interface MarketInfo {
  id: string;
  displayName: Record<string, string>;
  brand: { name: Record<string, string>; logo?: string; colors: { primary: string; accent?: string } };
  defaultLocale: string;
  locales: string[];
  defaults: Record<string, string>;
}

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

async function errorOf(res: Response): Promise<string> {
  const body = await res.text();
  try {
    return (JSON.parse(body) as { error: { message: string } }).error.message;
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** The market for this host; null when the server runs without markets. */
export async function getMarket(): Promise<MarketInfo | null> {
  const res = await fetch("/v1/market");
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(await errorOf(res));
  return (await res.json()) as MarketInfo;
}

export async function getModels(): Promise<string[]> {
  const res = await fetch("/v1/models");
  if (!res.ok) throw new Error(await errorOf(res));
  return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
}

/** Streams an answer, calling `onText` per piece; resolves with why it finished. Aborting `signal` stops it. */
export async function streamChat(model: string, messages: ChatMessage[], onText: (text: string) => void, signal: AbortSignal): Promise<string> {
  const res = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages, stream: true }),
    signal,
  });
  if (!res.ok || !res.body) throw new Error(await errorOf(res));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let finish = "stop";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return finish;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (!data || data === "[DONE]") continue;
      const chunk = JSON.parse(data) as { error?: { message: string }; choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }> };
      if (chunk.error) throw new Error(chunk.error.message);
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) onText(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
  }
}
