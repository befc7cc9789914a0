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

/** ChatML, the template node-llama-cpp recognises and applies from the GGUF. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
