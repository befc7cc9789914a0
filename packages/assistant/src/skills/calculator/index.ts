import { z } from "zod";
import type { Skill } from "../skill.ts";
import { calculate, MAX_EXPRESSION_CHARS } from "./evaluate.ts";
import { UNITS } from "./units.ts";

/**
 * A calculator the model calls itself (agents that use tools and name it): arithmetic and unit conversions,
 * worked out by its own parser, never by running code. Pure, so it runs without asking the person; not a chip.
 */
export const calculatorSkill: Skill = {
  id: "calculator",
  options: z.object({}),
  tool: {
    definition: {
      type: "function",
      function: {
        name: "calculator",
        description:
          'Works out arithmetic (+ - * / ^ and parentheses, e.g. "(3+4)*2") and unit conversions (e.g. "5 km to mi"). Returns the number.',
        parameters: {
          type: "object",
          properties: {
            expression: {
              type: "string",
              maxLength: MAX_EXPRESSION_CHARS,
              description: `The arithmetic, or "<number> <unit> to <unit>" with units ${UNITS.join(", ")}`,
            },
          },
          required: ["expression"],
          additionalProperties: false,
        },
      },
    },
    run: ({ expression }) => (typeof expression === "string" ? calculate(expression) : "error: give the expression as a string"),
  },
};
