import { convert } from "./units.ts";

export const MAX_EXPRESSION_CHARS = 200;
export const MAX_EXPRESSION_TOKENS = 50;

type Token = { kind: "number"; value: number; at: number } | { kind: "op"; op: string; at: number };

class CalcError extends Error {}

/** The result as the calculator gives it: integers exact, other numbers to 6 significant digits, no trailing zeros. */
export function formatResult(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(6)));
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|(\d+(?:\.\d*)?|\.\d+)|([-+*/^()×÷])|(.)/gy;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m[3] !== undefined) throw new CalcError(`unexpected "${m[3]}" at ${m.index + 1}`);
    if (m[1] !== undefined) tokens.push({ kind: "number", value: Number(m[1]), at: m.index + 1 });
    else if (m[2] !== undefined) tokens.push({ kind: "op", op: m[2] === "×" ? "*" : m[2] === "÷" ? "/" : m[2], at: m.index + 1 });
    if (tokens.length > MAX_EXPRESSION_TOKENS)
      throw new CalcError(`the expression has more than ${MAX_EXPRESSION_TOKENS} numbers and operators`);
  }
  return tokens;
}

const finite = (x: number): number => {
  if (!Number.isFinite(x)) throw new CalcError("the result is too large");
  return x;
};

/**
 * Arithmetic by precedence climbing: ^ (right to left) binds tighter than a sign, which binds tighter than * and /,
 * then + and -; so -2^2 is -4 and 2^-1 is 0.5, as on paper.
 */
function arithmetic(tokens: Token[]): number {
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (op: string) => {
    const t = peek();
    return t?.kind === "op" && t.op === op;
  };
  const sum = (): number => {
    let x = product();
    while (isOp("+") || isOp("-")) x = finite((tokens[i++] as { op: string }).op === "+" ? x + product() : x - product());
    return x;
  };
  const product = (): number => {
    let x = signed();
    while (isOp("*") || isOp("/")) {
      const op = (tokens[i++] as { op: string }).op;
      const y = signed();
      if (op === "/" && y === 0) throw new CalcError("division by zero");
      x = finite(op === "*" ? x * y : x / y);
    }
    return x;
  };
  const signed = (): number => {
    if (!isOp("-") && !isOp("+")) return power();
    const negative = isOp("-");
    i++;
    const x = signed();
    return negative ? -x : x;
  };
  const power = (): number => {
    const base = primary();
    if (!isOp("^")) return base;
    i++;
    const x = base ** signed();
    if (Number.isNaN(x)) throw new CalcError("a negative number to a fractional power has no real value");
    return finite(x);
  };
  const primary = (): number => {
    const t = tokens[i++];
    if (!t) throw new CalcError("the expression ends too soon");
    if (t.kind === "number") return t.value;
    if (t.op !== "(") throw new CalcError(`unexpected "${t.op}" at ${t.at}`);
    const x = sum();
    if (!isOp(")")) throw new CalcError(peek() ? `expected ")" at ${peek()!.at}` : `a "(" is not closed`);
    i++;
    return x;
  };
  const x = sum();
  const rest = peek();
  if (rest) throw new CalcError(`unexpected "${rest.kind === "op" ? rest.op : rest.value}" at ${rest.at}`);
  return x;
}

const CONVERSION = /^\s*([-+]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)\s+to\s+([a-z]+)\s*$/i;

/**
 * What the calculator answers to `expression`: arithmetic with + - * / ^, parentheses, decimals and signs, or a unit
 * conversion written "<number> <unit> to <unit>". The result as text; what it cannot work out, as "error: …".
 */
export function calculate(expression: string): string {
  if (expression.length > MAX_EXPRESSION_CHARS) return `error: the expression is longer than ${MAX_EXPRESSION_CHARS} characters`;
  if (!expression.trim()) return "error: the expression is empty";
  try {
    const conversion = CONVERSION.exec(expression);
    if (conversion) {
      const [, sign, number, from, to] = conversion as unknown as [string, string, string, string, string];
      const converted = convert((sign === "-" ? -1 : 1) * Number(number), from.toLowerCase(), to.toLowerCase());
      if (typeof converted === "string") return `error: ${converted}`;
      return formatResult(finite(converted));
    }
    return formatResult(arithmetic(tokenize(expression)));
  } catch (err) {
    if (err instanceof CalcError) return `error: ${err.message}`;
    throw err;
  }
}
