import type { BpeTokenizer } from "../tokenizer/bpe.ts";
import type { Example, ToolCall } from "./build.ts";

// ChatML with benih's tool-call format (docs: the tool-call format for benih's own models): a system turn only
// when there is system text or tools, the tools line after the system text, tool calls one per line as compact
// JSON, each tool result a turn of its own.

/** The ChatML prompt up to where the assistant's answer starts: what a chat client sends at inference. */
export const chatPrompt = (question: string) => `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`;
export const chatAnswer = (answer: string) => `${answer}<|im_end|>\n`;

/** One call as the assistant writes it: `<tool_call>{"name":…,"arguments":{…}}</tool_call>`. */
export const toolCallLine = (call: ToolCall) => `<tool_call>${JSON.stringify({ name: call.name, arguments: call.arguments })}</tool_call>`;

/** A piece of a rendered conversation: `target` pieces are the assistant's (weight 1), the rest is prompt. */
export interface ChatSegment {
  text: string;
  target: boolean;
}

/** An example as ChatML pieces, in order: prompt, assistant turn, prompt (tool results), …, final answer. */
export function chatSegments(ex: Example): ChatSegment[] {
  const system = [ex.system, ex.tools?.length ? `<tools>${ex.tools.join(", ")}</tools>` : undefined].filter(Boolean).join("\n");
  let prompt = `${system ? `<|im_start|>system\n${system}<|im_end|>\n` : ""}<|im_start|>user\n${ex.question}<|im_end|>\n`;
  const out: ChatSegment[] = [];
  const assistant = (text: string) => {
    out.push({ text: `${prompt}<|im_start|>assistant\n`, target: false }, { text: chatAnswer(text), target: true });
    prompt = "";
  };
  for (const turn of ex.turns ?? []) {
    if (turn.role === "assistant") assistant(turn.calls.map(toolCallLine).join("\n"));
    else prompt += `<|im_start|>tool\n${turn.content}<|im_end|>\n`;
  }
  assistant(ex.answer);
  return out;
}

/** The whole conversation as one text (what the tokenizer is trained on). */
export const chatText = (ex: Example) =>
  chatSegments(ex)
    .map((s) => s.text)
    .join("");

/**
 * Each assistant turn of an example with the conversation before it: the prompt a model completes and the text
 * it should write (without the end token). The first is the first assistant turn; later ones follow the expected
 * tool results.
 */
export function assistantTurns(ex: Example): Array<{ prompt: string; expected: string }> {
  const segments = chatSegments(ex);
  const out: Array<{ prompt: string; expected: string }> = [];
  let before = "";
  for (const s of segments) {
    if (s.target) out.push({ prompt: before, expected: s.text.slice(0, -"<|im_end|>\n".length) });
    before += s.text;
  }
  return out;
}

/**
 * One token stream for training: each example's pieces encoded separately (as at inference, where generation
 * starts after the prompt), with a loss weight per token: `promptWeight` for system, user and tool turns, 1 for
 * the assistant's turns (tool calls and answers) and their end tokens. `starts` are where examples begin, so
 * training windows can begin there and see every answer's whole prompt.
 */
export function tokenStream(
  examples: Example[],
  tokenizer: BpeTokenizer,
  promptWeight: number,
): { tokens: Int32Array; weights: Float32Array; starts: Int32Array } {
  const tokens: number[] = [];
  const weights: number[] = [];
  const starts: number[] = [];
  for (const ex of examples) {
    starts.push(tokens.length);
    for (const s of chatSegments(ex))
      for (const t of tokenizer.encode(s.text)) {
        tokens.push(t);
        weights.push(s.target ? 1 : promptWeight);
      }
  }
  return { tokens: Int32Array.from(tokens), weights: Float32Array.from(weights), starts: Int32Array.from(starts) };
}
