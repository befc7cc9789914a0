import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHATML_PLAIN_TEMPLATE, CHATML_TEMPLATE } from "@benih/gguf";
// The Jinja engine node-llama-cpp renders GGUF chat templates with.
import { Template } from "@huggingface/jinja";

const render = (template: string, context: Record<string, unknown>) => new Template(template).render(context);
const calculator = { type: "function", function: { name: "calculator", description: "Arithmetic", parameters: { type: "object" } } };
const call = (id: string, expression: string) => ({
  id,
  type: "function",
  function: { name: "calculator", arguments: JSON.stringify({ expression }) },
});

describe("benih's ChatML template with tool calls", () => {
  it("renders conversations without tools exactly as plain ChatML", () => {
    const conversations = [
      [{ role: "user", content: "Hi" }],
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Bye\n" },
      ],
    ];
    for (const messages of conversations)
      for (const add_generation_prompt of [true, false])
        assert.equal(
          render(CHATML_TEMPLATE, { messages, add_generation_prompt }),
          render(CHATML_PLAIN_TEMPLATE, { messages, add_generation_prompt }),
        );
    assert.equal(
      render(CHATML_TEMPLATE, { messages: conversations[0], add_generation_prompt: true }),
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  it("renders a calculator round trip exactly in benih's tool-call format", () => {
    const messages = [
      { role: "user", content: "what is 37 plus 48" },
      { role: "assistant", content: null, tool_calls: [call("c1", "37+48")] },
      { role: "tool", tool_call_id: "c1", content: "85" },
      { role: "assistant", content: "37 + 48 = 85" },
    ];
    assert.equal(
      render(CHATML_TEMPLATE, { messages, tools: [calculator], add_generation_prompt: false }),
      "<|im_start|>system\n<tools>calculator</tools><|im_end|>\n" +
        "<|im_start|>user\nwhat is 37 plus 48<|im_end|>\n" +
        '<|im_start|>assistant\n<tool_call>{"name":"calculator","arguments":{"expression":"37+48"}}</tool_call><|im_end|>\n' +
        "<|im_start|>tool\n85<|im_end|>\n" +
        "<|im_start|>assistant\n37 + 48 = 85<|im_end|>\n",
    );
  });

  it("merges the request's system text into the tools turn, lists every tool, and puts several calls one a line", () => {
    const messages = [
      { role: "system", content: "Answer in Indonesian." },
      { role: "user", content: "7*8 and 5 km in miles" },
      { role: "assistant", content: "", tool_calls: [call("a", "7*8"), call("b", "5 km to mi")] },
      { role: "tool", tool_call_id: "a", content: "56" },
      { role: "tool", tool_call_id: "b", content: "3.10686" },
    ];
    // OpenAI's shape (tools[i].function.name) and the flat one (tools[i].name) both name a tool.
    const tools = [calculator, { name: "other_tool" }];
    assert.equal(
      render(CHATML_TEMPLATE, { messages, tools, add_generation_prompt: true }),
      "<|im_start|>system\nAnswer in Indonesian.\n<tools>calculator, other_tool</tools><|im_end|>\n" +
        "<|im_start|>user\n7*8 and 5 km in miles<|im_end|>\n" +
        '<|im_start|>assistant\n<tool_call>{"name":"calculator","arguments":{"expression":"7*8"}}</tool_call>\n' +
        '<tool_call>{"name":"calculator","arguments":{"expression":"5 km to mi"}}</tool_call><|im_end|>\n' +
        "<|im_start|>tool\n56<|im_end|>\n<|im_start|>tool\n3.10686<|im_end|>\n" +
        "<|im_start|>assistant\n",
    );
  });

  it("keeps an assistant's text before its calls, and renders earlier tool turns when no tools are offered now", () => {
    const messages = [
      { role: "user", content: "3 kg in lb?" },
      { role: "assistant", content: "Let me convert.", tool_calls: [call("c", "3 kg to lb")] },
      { role: "tool", tool_call_id: "c", content: "6.61387" },
    ];
    assert.equal(
      render(CHATML_TEMPLATE, { messages, add_generation_prompt: true }),
      "<|im_start|>user\n3 kg in lb?<|im_end|>\n" +
        '<|im_start|>assistant\nLet me convert.\n<tool_call>{"name":"calculator","arguments":{"expression":"3 kg to lb"}}</tool_call><|im_end|>\n' +
        "<|im_start|>tool\n6.61387<|im_end|>\n<|im_start|>assistant\n",
    );
  });
});
