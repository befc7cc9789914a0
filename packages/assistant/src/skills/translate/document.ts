import type { Caller, ModelClient } from "../../model-client.ts";
import { translatePrompt } from "./prompt.ts";

/**
 * A document's text in pieces of about `size` characters for translation: whole paragraphs (a code block is
 * one paragraph, so it is never cut), a paragraph longer than a piece going alone.
 */
export function translationPieces(text: string, size = 1500): string[] {
  const paragraphs: string[] = [];
  let fence: string[] | undefined;
  for (const block of text.replace(/\r\n?/g, "\n").split(/\n{2,}/)) {
    if (fence) {
      fence.push(block);
      if ((block.match(/```/g)?.length ?? 0) % 2) {
        paragraphs.push(fence.join("\n\n"));
        fence = undefined;
      }
      continue;
    }
    if ((block.match(/```/g)?.length ?? 0) % 2) fence = [block];
    else if (block.trim()) paragraphs.push(block);
  }
  if (fence) paragraphs.push(fence.join("\n\n"));
  const pieces: string[] = [];
  let current = "";
  for (const p of paragraphs) {
    if (current && current.length + p.length + 2 > size) {
      pieces.push(current);
      current = "";
    }
    current = current ? `${current}\n\n${p}` : p;
  }
  if (current) pieces.push(current);
  return pieces;
}

/** Translates a document piece by piece through the model, calling `onProgress` after each; returns the whole. */
export async function translateDocument(o: {
  client: ModelClient;
  model: string;
  caller: Caller;
  text: string;
  target: string;
  glossary?: Record<string, string>;
  signal: AbortSignal;
  onProgress(done: number, total: number): void;
}): Promise<string> {
  const pieces = translationPieces(o.text);
  const system = translatePrompt(o.target, o.glossary);
  const out: string[] = [];
  for (const [i, piece] of pieces.entries()) {
    let text = "";
    for await (const part of o.client.stream({
      model: o.model,
      messages: [
        { role: "system", content: system },
        { role: "user", content: piece },
      ],
      caller: o.caller,
      signal: o.signal,
    })) {
      if (part.type === "text") text += part.text;
    }
    out.push(text.trim());
    o.onProgress(i + 1, pieces.length);
  }
  return out.join("\n\n");
}
