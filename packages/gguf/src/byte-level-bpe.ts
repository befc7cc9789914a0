/**
 * GPT-2's byte-to-unicode table: every byte gets a printable character, so a byte-level BPE vocabulary can be
 * written as strings. llama.cpp's "gpt2" tokenizer expects the 256 byte tokens spelled this way.
 */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = printable.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + extra++);
  }
  return table;
}

export const CHATML_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;

/** ChatML without tools: what benih's GGUFs carried before their models learnt to call tools. */
export const CHATML_PLAIN_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * ChatML with benih's tool-call format (docs/tool-calls.md): a request's `tools` (OpenAI's shape) become one system
 * turn listing their names, an assistant message's `tool_calls` become `<tool_call>{json}</tool_call>` lines and
 * `tool` messages are turns of their own. A conversation without tools renders exactly as CHATML_PLAIN_TEMPLATE.
 */
export const CHATML_TEMPLATE =
  "{% if tools %}{{ '<|im_start|>system\\n' }}" +
  "{% if messages and messages[0]['role'] == 'system' %}{{ messages[0]['content'] + '\\n' }}{% endif %}" +
  "{{ '<tools>' }}{% for tool in tools %}{% if not loop.first %}{{ ', ' }}{% endif %}" +
  "{% if tool['function'] is defined %}{{ tool['function']['name'] }}{% else %}{{ tool['name'] }}{% endif %}{% endfor %}" +
  "{{ '</tools><|im_end|>\\n' }}{% endif %}" +
  "{% for message in messages %}" +
  "{% if tools and loop.first and message['role'] == 'system' %}" +
  "{% elif message['role'] == 'assistant' and message['tool_calls'] %}{{ '<|im_start|>assistant\\n' }}" +
  "{% if message['content'] %}{{ message['content'] + '\\n' }}{% endif %}" +
  "{% for call in message['tool_calls'] %}{% if not loop.first %}{{ '\\n' }}{% endif %}" +
  "{% if call['function'] is defined %}{% set fn = call['function'] %}{% else %}{% set fn = call %}{% endif %}" +
  "{{ '<tool_call>{\"name\":\"' + fn['name'] + '\",\"arguments\":' + fn['arguments'] + '}</tool_call>' }}{% endfor %}" +
  "{{ '<|im_end|>\\n' }}" +
  "{% else %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endif %}" +
  "{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
