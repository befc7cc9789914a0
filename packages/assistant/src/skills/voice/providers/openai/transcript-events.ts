import { GatewayError } from "@benih/gateway";
import type { TranscriptEvent } from "../provider.ts";

/** One server-sent event's `event` name and its `data` lines joined. */
function parseEvent(block: string): { event?: string; data: string } {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    else if (line.startsWith("event:")) event = line.slice(6).trim();
  }
  return { ...(event && { event }), data: data.join("\n") };
}

const broken = (name: string, why: string) =>
  new GatewayError(502, "upstream_error", `The transcription provider ${name} failed mid-stream: ${why}`, "upstream_stream_error");

/**
 * OpenAI's streamed transcription (`stream=true`): server-sent events `transcript.text.delta` ({delta}) then
 * `transcript.text.done` ({text, usage}). Other events (logprobs, segments) are skipped; an `error` event, or
 * data with `error`, ends the stream with a 502 naming the provider.
 */
export async function* transcriptEvents(body: AsyncIterable<Uint8Array>, name: string): AsyncIterable<TranscriptEvent> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    buffered = (buffered + decoder.decode(chunk, { stream: true })).replace(/\r\n?/g, "\n");
    for (let end = buffered.indexOf("\n\n"); end >= 0; end = buffered.indexOf("\n\n")) {
      const { event, data } = parseEvent(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      if (!data || data === "[DONE]") continue;
      let e: { type?: string; delta?: unknown; text?: unknown; usage?: unknown; error?: { message?: string } };
      try {
        e = JSON.parse(data);
      } catch {
        throw broken(name, `an event that is not JSON: ${data.slice(0, 100)}`);
      }
      if (event === "error" || e.error || e.type === "error") throw broken(name, e.error?.message ?? data.slice(0, 200));
      if (e.type === "transcript.text.delta" && typeof e.delta === "string") yield { type: "delta", delta: e.delta };
      else if (e.type === "transcript.text.done" && typeof e.text === "string")
        yield { type: "done", text: e.text, ...(e.usage !== undefined && { usage: e.usage }) };
    }
  }
}
