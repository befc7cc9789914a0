import { createInterface } from "node:readline/promises";
import { readEvents } from "@benih/contracts";
import { authHeaders, callServer, errorMessage, serverURL, UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { chat as spec } from "./commands.ts";

type Msg = { role: "system" | "user" | "assistant"; content: string };

/** Streams one answer to `out`; returns the whole text. Aborting the signal stops the stream (and the upstream). */
async function streamAnswer(
  url: string,
  key: string | undefined,
  model: string,
  messages: Msg[],
  out: NodeJS.WritableStream,
  signal: AbortSignal,
  settings: { max_tokens?: number; temperature?: number },
) {
  const res = await callServer(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders(key) },
    body: JSON.stringify({ model, messages, stream: true, ...settings }),
    signal,
  });
  if (!res.ok) throw new Error(await errorMessage(res));
  let text = "";
  for await (const event of readEvents(res.body!)) {
    if (event.data === "[DONE]") continue;
    const data = JSON.parse(event.data) as { choices?: Array<{ delta?: { content?: string } }>; error?: { message: string } };
    if (data.error) throw new Error(data.error.message);
    const delta = data.choices?.[0]?.delta?.content;
    if (delta) {
      text += delta;
      out.write(delta);
    }
  }
  return text;
}

async function pickModel(url: string, key: string | undefined): Promise<string> {
  const res = await callServer(`${url}/v1/models`, { headers: authHeaders(key) });
  if (!res.ok) throw new Error(await errorMessage(res));
  const { data } = (await res.json()) as { data: Array<{ id: string }> };
  if (!data[0]) throw new UsageError("the server offers no models: add GGUF files to models/ or configure a provider", false);
  return data[0].id;
}

export async function chat({ values, positionals, env }: Input<typeof spec.options>): Promise<void> {
  const url = serverURL(values.url, env);
  const key = values.key ?? env.BENIH_API_KEY;
  const model = values.model ?? (await pickModel(url, key));
  const maxTokens = values["max-tokens"] === undefined ? undefined : Number(values["max-tokens"]);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0))
    throw new UsageError("--max-tokens must be a positive integer");
  const temperature = values.temperature === undefined ? undefined : Number(values.temperature);
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2))
    throw new UsageError("--temperature must be a number from 0 to 2");
  const settings = { ...(maxTokens && { max_tokens: maxTokens }), ...(temperature !== undefined && { temperature }) };
  const history: Msg[] = values.system ? [{ role: "system", content: values.system }] : [];

  if (positionals.length) {
    history.push({ role: "user", content: positionals.join(" ") });
    await streamAnswer(url, key, model, history, process.stdout, new AbortController().signal, settings);
    process.stdout.write("\n");
    return;
  }

  process.stderr.write(`chatting with ${model} at ${url}. Ctrl+C stops an answer; Ctrl+D or /exit quits.\n`);
  const tty = process.stdin.isTTY === true;
  // Lines are read with the async iterator, which queues input that arrives while an answer streams, so piped
  // input is answered line by line to its end.
  const rl = createInterface({ input: process.stdin, ...(tty && { output: process.stdout, terminal: true }) });
  let current: AbortController | undefined;
  rl.on("SIGINT", () => {
    if (current) current.abort();
    else rl.close();
  });
  if (tty) rl.setPrompt("> ");
  rl.prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === "/exit" || line === "/quit") break;
      if (line) {
        history.push({ role: "user", content: line });
        current = new AbortController();
        try {
          const answer = await streamAnswer(url, key, model, history, process.stdout, current.signal, settings);
          history.push({ role: "assistant", content: answer });
        } catch (err) {
          if (current.signal.aborted) process.stdout.write(" [stopped]");
          else process.stderr.write(`\nerror: ${(err as Error).message}`);
          history.pop();
        } finally {
          current = undefined;
          process.stdout.write("\n");
        }
      }
      if (tty) rl.prompt();
    }
  } finally {
    rl.close();
  }
}
