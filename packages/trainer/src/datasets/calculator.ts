import type { Turn } from "./build.ts";

// The calculator tool as benih's own models see it: name `calculator`, one argument `expression`. Its results in
// the data are what the assistant's calculator returns for that expression, so a model learns the served form.

export const CALCULATOR = "calculator";

/** The two turns of one calculator call: the assistant's call and the tool's result. */
export const calculatorTurns = (expression: string, result: string): Turn[] => [
  { role: "assistant", calls: [{ name: CALCULATOR, arguments: { expression } }] },
  { role: "tool", content: result },
];

/** The conversions the data asks for, "from to"; the calculator itself computes them. */
export const conversionPairs = [
  "km mi",
  "mi km",
  "m ft",
  "ft m",
  "cm in",
  "in cm",
  "kg lb",
  "lb kg",
  "g oz",
  "oz g",
  "c f",
  "f c",
  "l gal",
  "gal l",
];
