import { json, startFake, type FakeServer } from "./server.ts";

/**
 * A loopback server speaking Anthropic's Messages API (2023-06-01) as documented: `x-api-key` auth, typed SSE
 * events (message_start … message_stop, with ping), tool_use blocks with input_json_delta, and its error shape.
 * Model `tools` calls `get_weather`; `overloaded` answers 529; anything else says "Hello from <model>".
 */
export async function startFakeAnthropic(): Promise<FakeServer> {
  return startFake(async (req, res, body) => {
    const err = (status: number, type: string, message: string) => json(res, status, { type: "error", error: { type, message } });
    if (req.method === "GET" && req.url?.startsWith("/v1/models")) {
      return json(res, 200, {
        data: [{ type: "model", id: "claude-fake", display_name: "Claude Fake", created_at: "2025-01-01T00:00:00Z" }],
        has_more: false,
      });
    }
    if (req.url !== "/v1/messages" || req.method !== "POST") return err(404, "not_found_error", "Not found");
    if (!req.headers["x-api-key"]) return err(401, "authentication_error", "x-api-key header is required");
    if (req.headers["anthropic-version"] !== "2023-06-01") return err(400, "invalid_request_error", "anthropic-version header is required");
    if (typeof body?.max_tokens !== "number") return err(400, "invalid_request_error", "max_tokens: Field required");
    if (body.messages?.some((m: { role: string }) => m.role === "system")) {
      return err(400, "invalid_request_error", 'messages: Unexpected role "system"');
    }
    const model: string = body.model;
    if (model === "overloaded") return err(529, "overloaded_error", "Overloaded");
    const hasResult = body.messages?.some(
      (m: { content: unknown }) => Array.isArray(m.content) && m.content.some((b: { type: string }) => b.type === "tool_result"),
    );
    const wantsTool = model === "tools" && !hasResult && body.tools?.length;
    const text = `Hello from ${model}`;
    const usage = { input_tokens: 9, output_tokens: 4 };
    if (!body.stream) {
      return json(res, 200, {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model,
        content: wantsTool
          ? [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Jakarta" } }]
          : [{ type: "text", text }],
        stop_reason: wantsTool ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage,
      });
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const ev = (type: string, data: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    ev("message_start", {
      message: {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: 9, output_tokens: 1 },
      },
    });
    ev("ping", {});
    if (wantsTool) {
      ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} } });
      ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '{"city": ' } });
      ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '"Jakarta"}' } });
      ev("content_block_stop", { index: 0 });
    } else {
      ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      for (const w of ["Hello", " from", ` ${model}`]) ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: w } });
      ev("content_block_stop", { index: 0 });
    }
    ev("message_delta", { delta: { stop_reason: wantsTool ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: 4 } });
    ev("message_stop", {});
    res.end();
  });
}
