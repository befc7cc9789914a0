import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calculate } from "../src/skills/calculator/evaluate.ts";
import { calculatorSkill } from "../src/skills/calculator/index.ts";

describe("the calculator's expressions", () => {
  it("works out arithmetic by precedence, as on paper", () => {
    const cases: Array<[string, string]> = [
      ["37+48", "85"],
      ["7*8", "56"],
      ["(3+4)*2", "14"],
      ["3+4*2", "11"],
      ["10-4-3", "3"],
      ["2^3^2", "512"],
      ["-2^2", "-4"],
      ["2^-1", "0.5"],
      ["-(3-5)*-2", "-4"],
      ["--3", "3"],
      ["1/3", "0.333333"],
      ["0.1+0.2", "0.3"],
      [".5*4", "2"],
      [" 12 / 4 ", "3"],
      ["6×7÷2", "21"],
      ["123456789*1000", "123456789000"],
      // Past 15 digits, 6 significant ones, written out as JavaScript writes the number.
      ["2^60", "1152920000000000000"],
      ["22/7", "3.14286"],
    ];
    for (const [expression, result] of cases) assert.equal(calculate(expression), result, expression);
  });

  it("converts units, to 6 significant digits with no trailing zeros", () => {
    const cases: Array<[string, string]> = [
      ["5 km to mi", "3.10686"],
      ["100 c to f", "212"],
      ["-40 F to C", "-40"],
      ["3 kg to lb", "6.61387"],
      ["10 in to cm", "25.4"],
      ["1 gal to l", "3.78541"],
      ["16 oz to g", "453.592"],
      ["1 mi to ft", "5280"],
      ["2.5 m to m", "2.5"],
    ];
    for (const [expression, result] of cases) assert.equal(calculate(expression), result, expression);
  });

  it("answers what it cannot work out with an error, never an exception", () => {
    const bad: Array<[string, RegExp]> = [
      ["", /^error: the expression is empty$/],
      ["1/0", /^error: division by zero$/],
      ["(1+2", /^error: a "\(" is not closed$/],
      ["1+", /^error: the expression ends too soon$/],
      ["2 3", /^error: unexpected "3" at 3$/],
      ["2(3)", /^error: unexpected "\(" at 2$/],
      ["process.exit()", /^error: unexpected "p" at 1$/],
      ["9^9^9", /^error: the result is too large$/],
      ["(-8)^0.5", /^error: a negative number to a fractional power/],
      ["5 km to kg", /^error: cannot convert km to kg$/],
      ["5 parsecs to km", /^error: unknown unit "parsecs"; the units are km, mi/],
      [`${"1+".repeat(26)}1`, /^error: the expression has more than 50 numbers and operators$/],
      ["1".repeat(201), /^error: the expression is longer than 200 characters$/],
      [`${"(".repeat(60)}1`, /^error: the expression has more than 50/],
    ];
    for (const [expression, error] of bad) assert.match(calculate(expression), error, expression);
    // The longest expression allowed is worked out: 200 characters of digits is a finite number.
    assert.match(calculate("9".repeat(200)), /^1e\+200$/);
  });

  it("is offered as a tool named calculator taking an expression, and checks its arguments", () => {
    const tool = calculatorSkill.tool!;
    assert.equal(tool.definition.function.name, "calculator");
    assert.deepEqual((tool.definition.function.parameters as { required?: string[] }).required, ["expression"]);
    assert.ok("run" in tool);
    assert.equal(tool.run({ expression: "37+48" }), "85");
    assert.equal(tool.run({ expression: 85 }), "error: give the expression as a string");
    assert.equal(calculatorSkill.answer, undefined, "not a chip");
  });
});
