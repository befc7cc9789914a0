const OPEN = "<tool_call>";
const CLOSE = "</tool_call>";

export type Scanned = { type: "text"; text: string } | { type: "tool-call"; toolName: string; input: string };

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** `{"name": …, "arguments": {…}}` naming an offered tool, as a call; undefined for anything else. */
function parseCall(body: string, tools: ReadonlySet<string>): Scanned | undefined {
  let call: unknown;
  try {
    call = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(call) || typeof call.name !== "string" || !tools.has(call.name)) return undefined;
  let args = call.arguments ?? {};
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  return isObject(args) ? { type: "tool-call", toolName: call.name, input: JSON.stringify(args) } : undefined;
}

/** How many characters at the end of `text` could be the beginning of OPEN. */
function partialOpen(text: string): number {
  for (let n = Math.min(OPEN.length - 1, text.length); n > 0; n--) if (OPEN.startsWith(text.slice(-n))) return n;
  return 0;
}

/**
 * A model's output, as it streams, split into text and the calls it writes as `<tool_call>{json}</tool_call>`.
 * A call that is not JSON, or names a tool that was not offered, stays text, as written. Whitespace between calls
 * is not text; whitespace at the end is kept only when no call was made.
 */
export class ToolCallScanner {
  private buffer = "";
  private inCall = false;
  private held = "";
  private calls = 0;

  constructor(private readonly tools: ReadonlySet<string>) {}

  get called(): boolean {
    return this.calls > 0;
  }

  push(delta: string): Scanned[] {
    const out: Scanned[] = [];
    this.buffer += delta;
    for (;;) {
      if (this.inCall) {
        const end = this.buffer.indexOf(CLOSE);
        if (end < 0) return out;
        const body = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + CLOSE.length);
        this.inCall = false;
        const call = parseCall(body, this.tools);
        if (call) {
          this.held = "";
          this.calls++;
          out.push(call);
        } else this.text(out, OPEN + body + CLOSE);
        continue;
      }
      const start = this.buffer.indexOf(OPEN);
      if (start >= 0) {
        this.text(out, this.buffer.slice(0, start));
        this.buffer = this.buffer.slice(start + OPEN.length);
        this.inCall = true;
        continue;
      }
      const keep = partialOpen(this.buffer);
      this.text(out, this.buffer.slice(0, this.buffer.length - keep));
      this.buffer = this.buffer.slice(this.buffer.length - keep);
      return out;
    }
  }

  /** What is left once the model has stopped: a call it did not close is text. */
  end(): Scanned[] {
    const out: Scanned[] = [];
    this.text(out, this.inCall ? OPEN + this.buffer : this.buffer);
    this.buffer = "";
    this.inCall = false;
    if (this.held && !this.calls) out.push({ type: "text", text: this.held });
    this.held = "";
    return out;
  }

  /** Text, its trailing whitespace held back until more text follows (a call after it drops it). */
  private text(out: Scanned[], text: string): void {
    if (!text) return;
    const trimmed = text.trimEnd();
    if (!trimmed) {
      this.held += text;
      return;
    }
    out.push({ type: "text", text: this.held + trimmed });
    this.held = text.slice(trimmed.length);
  }
}
