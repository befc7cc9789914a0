import type { ServerResponse } from "node:http";
import { answerEmbeddings } from "./openai-embeddings.ts";
import { seedColour, solidPng } from "./png.ts";
import { json, sleep, startFake, type FakeServer } from "./server.ts";

/**
 * A loopback server speaking OpenAI's chat-completions and models API. What it does is chosen by the requested
 * model name, so a routing table can point targets at different behaviours of one server:
 *
 * - `ok` (or anything not listed): answers "Hello from <model>", streamed as "Hello", " from", " <model>"
 * - `tools`: calls `get_weather` with `{"city":"Jakarta"}`, or answers with the tool result once it has one
 * - `tool-caller`: calls the first tool it is offered with `{"query": <the last user message>}`, then answers
 *   "Found: <the first line of the tool's result>"
 * - `call:<name>`: calls the tool named <name> if it is offered, its arguments the last user message (JSON, as
 *   sent), then answers "Tool said: <the first line of the tool's result>"; answers "No tool <name>." when it is
 *   not offered
 * - `slow-<ms>`: waits before answering
 * - `rate-limited`: 429 with `retry-after: 0` and OpenAI's rate-limit error body
 * - `rate-limited-long`: 429 with `retry-after: 30`
 * - `error-500`, `error-503`: that status with an OpenAI error body
 * - `bad-request`: 400 about a parameter, as OpenAI words it
 * - `unauthorized`: 401 invalid_api_key
 * - `reset-mid-stream`: sends two chunks, then destroys the socket
 * - `malformed-sse`: sends one chunk, then a data line that is not JSON
 * - `stall-mid-stream`: sends one chunk, then nothing until the client goes away
 * - `error-mid-stream`: sends one chunk, then an `{"error": …}` event
 * - `say:<text>`: answers exactly <text>, streamed in pieces of 3 characters (so words split across chunks)
 * - `echo`: answers "(<n>) <the last user message>", n being how many messages it was sent, in 3-character pieces
 * - `cite`: answers "From [1]: <the line after "[1] …:" in the system message>", or "No sources." without one
 * - `system`: answers "<the system message> | <the last user message>" (or "no system" in place of the first)
 * - `upper`: answers the last user message in capitals (a "translation" a test can check)
 *
 * `POST /embeddings` answers deterministic unit vectors derived from each input (see `answerEmbeddings`).
 * `POST /moderations` flags an input that contains "flag-me" as violence; model `error-500` fails there too.
 * `POST /images/generations` (OpenAI's Images API, also Volcano Ark's Seedream shape) answers n solid-colour PNGs as
 * b64_json, the colour from `seed` (random without one); a prompt containing "unsafe" gets OpenAI's 400
 * content_policy_violation. `POST /images/edits` takes OpenAI's multipart form (image, prompt, n, size, model) and
 * answers the same way, the colour from the image's size in bytes.
 */
export interface FakeOpenAIOptions {
  models?: string[];
  /** Stream chunk pacing, to make streams observable in time. */
  chunkDelayMs?: number;
  /**
   * Usage as a real model counts it, for tests of budgets: a prompt token per character of the messages' text and
   * an answer token per piece; `max_tokens` (or `max_completion_tokens`) cuts the answer to that many pieces,
   * finishing with "length". Otherwise usage is always 11 + 3 tokens and answers are never cut.
   */
  measuredUsage?: boolean;
}

const textChars = (messages: Array<{ content: unknown }> = []) =>
  messages.reduce(
    (n, m) =>
      n +
      (typeof m.content === "string"
        ? m.content.length
        : Array.isArray(m.content)
          ? m.content.reduce((k: number, p: { text?: string }) => k + (p.text?.length ?? 0), 0)
          : 0),
    0,
  );

const words = (model: string, messages: Array<{ role: string; content: unknown }> = []) => {
  const last = [...messages].reverse().find((m) => m.role === "user");
  const system = messages.find((m) => m.role === "system")?.content;
  const source = typeof system === "string" ? /^\[1\] [^\n]*:\n([^\n]*)/m.exec(system)?.[1] : undefined;
  const text = model.startsWith("say:")
    ? model.slice(4)
    : model === "echo"
      ? `(${messages.length}) ${typeof last?.content === "string" ? last.content : ""}`
      : model === "cite"
        ? source
          ? `From [1]: ${source}`
          : "No sources."
        : model === "system"
          ? `${typeof system === "string" ? system : "no system"} | ${typeof last?.content === "string" ? last.content : ""}`
          : model === "upper"
            ? (typeof last?.content === "string" ? last.content : "").toUpperCase()
            : undefined;
  if (text === undefined) return ["Hello", " from", ` ${model}`];
  return Array.from({ length: Math.ceil(text.length / 3) }, (_, i) => text.slice(i * 3, i * 3 + 3));
};

function chunk(id: string, model: string, delta: object, finish: string | null = null, usage: object | null = null) {
  return `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1700000000, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage !== null && { usage }) })}\n\n`;
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

export async function startFakeOpenAI(o: FakeOpenAIOptions = {}): Promise<FakeServer> {
  const models = o.models ?? ["ok", "tools", "gpt-4o-mini"];
  return startFake(async (req, res, body, seen) => {
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      return json(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 1700000000, owned_by: "fake" })) });
    }
    if (req.method === "POST" && req.url?.endsWith("/embeddings")) return answerEmbeddings(req, res, body);
    if (req.method === "POST" && req.url?.endsWith("/moderations")) {
      if (body?.model === "error-500")
        return json(res, 500, errorBody("The server had an error while processing your request.", "server_error", null));
      const flagged = String(body?.input ?? "").includes("flag-me");
      return json(res, 200, {
        id: "modr-fake",
        model: body?.model,
        results: [
          { flagged, categories: { violence: flagged, hate: false }, category_scores: { violence: flagged ? 0.97 : 0.01, hate: 0.01 } },
        ],
      });
    }
    if (req.method === "POST" && req.url?.endsWith("/images/generations")) {
      if (!req.headers.authorization?.startsWith("Bearer "))
        return json(res, 401, errorBody("You didn't provide an API key.", "invalid_request_error", "invalid_api_key"));
      if (typeof body?.prompt !== "string" || !body.prompt)
        return json(res, 400, errorBody("'prompt' is a required property", "invalid_request_error", null, "prompt"));
      if (body.prompt.includes("unsafe"))
        return json(
          res,
          400,
          errorBody("Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation"),
        );
      const [w, h] = String(body.size ?? "1024x1024")
        .split("x")
        .map(Number);
      const n = Number(body.n ?? 1);
      const seed = Number.isInteger(body.seed) ? (body.seed as number) : Math.floor(Math.random() * 1e6);
      const data = Array.from({ length: n }, (_, i) => ({
        b64_json: solidPng(Math.min(w ?? 64, 64), Math.min(h ?? 64, 64), seedColour(seed + i)).toString("base64"),
        revised_prompt: `${body.prompt} (fake)`,
      }));
      return json(res, 200, { created: 1700000000, data });
    }
    if (req.method === "POST" && req.url?.endsWith("/images/edits")) {
      if (!req.headers.authorization?.startsWith("Bearer "))
        return json(res, 401, errorBody("You didn't provide an API key.", "invalid_request_error", "invalid_api_key"));
      const form = await new Request("http://fake/", {
        method: "POST",
        headers: { "content-type": String(req.headers["content-type"] ?? "") },
        body: seen.raw,
      })
        .formData()
        .catch(() => undefined);
      const image = form?.get("image") ?? form?.get("image[]");
      if (!form || !(image instanceof Blob))
        return json(res, 400, errorBody("'image' is a required property", "invalid_request_error", null, "image"));
      const prompt = String(form.get("prompt") ?? "");
      if (!prompt) return json(res, 400, errorBody("'prompt' is a required property", "invalid_request_error", null, "prompt"));
      const n = Number(form.get("n") ?? 1);
      const data = Array.from({ length: n }, (_, i) => ({
        b64_json: solidPng(32, 32, seedColour(image.size + i)).toString("base64"),
        revised_prompt: `${prompt} (edited)`,
      }));
      return json(res, 200, { created: 1700000000, data });
    }
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions"))
      return json(res, 404, errorBody("not found", "invalid_request_error", null));
    if (!req.headers.authorization?.startsWith("Bearer ")) {
      return json(res, 401, errorBody("You didn't provide an API key.", "invalid_request_error", "invalid_api_key"));
    }
    const model: string = body?.model ?? "";
    const id = `chatcmpl-fake${seen.path.length}${Date.now()}`;
    const slow = /^slow-(\d+)$/.exec(model);
    if (slow) await sleep(Number(slow[1]));
    switch (model) {
      case "rate-limited":
        return json(res, 429, errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded"), { "retry-after": "0" });
      case "rate-limited-long":
        return json(res, 429, errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded"), { "retry-after": "30" });
      case "error-500":
        return json(res, 500, errorBody("The server had an error while processing your request.", "server_error", null));
      case "error-503":
        return json(res, 503, errorBody("The engine is currently overloaded.", "server_error", null));
      case "bad-request":
        return json(res, 400, errorBody("Invalid value for 'temperature'.", "invalid_request_error", "invalid_value", "temperature"));
      case "unauthorized":
        return json(res, 401, errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    }
    const lastTool = [...(body.messages ?? [])].reverse().find((m: { role: string }) => m.role === "tool");
    const caller = model === "tool-caller";
    const named = model.startsWith("call:") ? model.slice(5) : undefined;
    const offered = (body.tools ?? []).some((t: { function: { name: string } }) => t.function.name === named);
    const wantsTool = ((model === "tools" || caller) && !lastTool && body.tools?.length) || (offered && !lastTool);
    const lastUser = [...(body.messages ?? [])].reverse().find((m: { role: string }) => m.role === "user")?.content;
    const call =
      caller && wantsTool
        ? { name: body.tools[0].function.name as string, args: JSON.stringify({ query: lastUser }) }
        : named
          ? { name: named, args: String(lastUser) }
          : { name: "get_weather", args: '{"city":"Jakarta"}' };
    const text =
      model === "tools" && lastTool
        ? `The weather: ${lastTool.content}`
        : caller
          ? lastTool
            ? `Found: ${String(lastTool.content).split("\n")[0]}`
            : "No tools."
          : named
            ? lastTool
              ? `Tool said: ${String(lastTool.content).split("\n")[0]}`
              : `No tool ${named}.`
            : words(model, body.messages).join("");
    const cap: number | undefined = o.measuredUsage ? (body.max_completion_tokens ?? body.max_tokens) : undefined;
    const allPieces = model === "tools" || caller || named ? [text] : words(model, body.messages);
    const pieces = cap === undefined ? allPieces : allPieces.slice(0, cap);
    const cut = pieces.length < allPieces.length;
    const usage = o.measuredUsage
      ? {
          prompt_tokens: textChars(body.messages),
          completion_tokens: pieces.length,
          total_tokens: textChars(body.messages) + pieces.length,
        }
      : { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 };

    if (!body.stream) {
      const message = wantsTool
        ? {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: call.name, arguments: call.args } }],
          }
        : { role: "assistant", content: pieces.join("") };
      return json(res, 200, {
        id,
        object: "chat.completion",
        created: 1700000000,
        model,
        choices: [{ index: 0, message, finish_reason: wantsTool ? "tool_calls" : cut ? "length" : "stop" }],
        usage,
      });
    }

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = async (s: string) => {
      res.write(s);
      if (o.chunkDelayMs) await sleep(o.chunkDelayMs);
    };
    await send(chunk(id, model, { role: "assistant", content: "" }));
    if (wantsTool) {
      await send(
        chunk(id, model, { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: call.name, arguments: "" } }] }),
      );
      const half = Math.floor(call.args.length / 2); // arguments arrive in pieces, as OpenAI sends them
      await send(chunk(id, model, { tool_calls: [{ index: 0, function: { arguments: call.args.slice(0, half) } }] }));
      await send(chunk(id, model, { tool_calls: [{ index: 0, function: { arguments: call.args.slice(half) } }] }));
      await send(chunk(id, model, {}, "tool_calls"));
    } else {
      for (const [i, w] of pieces.entries()) {
        await send(chunk(id, model, { content: w }));
        if (i === 0) {
          if (model === "reset-mid-stream") {
            await send(chunk(id, model, { content: " partial" }));
            await sleep(30); // let the chunks reach the client before the reset
            return void res.socket?.destroy();
          }
          if (model === "malformed-sse") return void res.end("data: {this is not json\n\n");
          if (model === "error-mid-stream") {
            return void res.end(
              `data: ${JSON.stringify(errorBody("The server had an error while processing your request.", "server_error", null))}\n\n`,
            );
          }
          if (model === "stall-mid-stream") return stall(res);
        }
      }
      await send(chunk(id, model, {}, cut ? "length" : "stop"));
    }
    if (body.stream_options?.include_usage)
      await send(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1700000000, model, choices: [], usage })}\n\n`);
    res.end("data: [DONE]\n\n");
  });
}

function stall(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.on("close", resolve));
}
