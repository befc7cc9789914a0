/** What a parsed JSON body may hold. */
export interface JsonShape {
  /** Values (objects, arrays, strings, numbers…). */
  maxValues: number;
  maxDepth: number;
  /** Characters of text across its strings; `data:` URLs (inline images) are bounded by the body size instead. */
  maxTextChars: number;
}

/** The first way a parsed JSON value breaks the budget, or undefined. */
export function overBudget(root: unknown, b: JsonShape): { message: string; code: string } | undefined {
  // Iterative: a body nested 100,000 levels deep must not overflow the stack that judges it.
  const stack: unknown[] = [root, 1];
  let values = 0;
  let chars = 0;
  while (stack.length) {
    const depth = stack.pop() as number;
    const v = stack.pop();
    if (++values > b.maxValues)
      return { message: `The JSON body holds more than ${b.maxValues.toLocaleString("en")} values.`, code: "too_many_values" };
    if (typeof v === "string") {
      if (!v.startsWith("data:") && (chars += v.length) > b.maxTextChars)
        return {
          message: `The JSON body holds more than ${b.maxTextChars.toLocaleString("en")} characters of text.`,
          code: "too_much_text",
        };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth > b.maxDepth) return { message: `The JSON body is nested more than ${b.maxDepth} levels deep.`, code: "nested_too_deep" };
    for (const k in v) stack.push((v as Record<string, unknown>)[k], depth + 1);
  }
  return undefined;
}
