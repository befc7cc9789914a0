import type { Lang } from "./facts.ts";
import { calculate } from "@benih/assistant/calculator";
import { CALCULATOR, calculatorTurns, conversionPairs } from "./calculator.ts";
import { fill, type Splits } from "./splits.ts";

/**
 * Arithmetic and unit conversions through the calculator: the assistant's first turn is the call with the
 * expression, its answer restates it with the tool's result. `{a}` and `{b}` are the operands.
 */
type Op = "add" | "subtract" | "multiply";
interface Phrasings {
  train: string[];
  heldOut: string[];
}

const ops: Record<Lang, Record<Op, Phrasings>> = {
  en: {
    add: {
      train: [
        "What is {a} + {b}?",
        "Calculate {a} + {b}.",
        "What is {a} plus {b}?",
        "{a} + {b} = ?",
        "Add {a} and {b}.",
        "How much is {a} plus {b}?",
        "What's the sum of {a} and {b}?",
        "I have {a} and get {b} more. How many now?",
        "Please add {a} to {b}.",
        "Compute {a}+{b}.",
        "Total of {a} and {b}?",
        "{a} plus {b} makes how much?",
      ],
      heldOut: [
        "What do you get when you add {a} and {b}?",
        "If you put {a} and {b} together, what's the total?",
        "Work out {a} + {b} for me.",
      ],
    },
    subtract: {
      train: [
        "What is {a} - {b}?",
        "Calculate {a} - {b}.",
        "What is {a} minus {b}?",
        "{a} - {b} = ?",
        "Subtract {b} from {a}.",
        "How much is {a} minus {b}?",
        "What's the difference between {a} and {b}?",
        "I had {a} and gave away {b}. How many are left?",
        "Take {b} away from {a}.",
        "Compute {a}-{b}.",
        "{a} take away {b}?",
        "{a} minus {b} is how much?",
      ],
      heldOut: ["What remains when you take {b} from {a}?", "How much is left if {b} is removed from {a}?", "Work out {a} - {b} for me."],
    },
    multiply: {
      train: [
        "What is {a} × {b}?",
        "Calculate {a} × {b}.",
        "What is {a} times {b}?",
        "{a} × {b} = ?",
        "Multiply {a} by {b}.",
        "How much is {a} times {b}?",
        "What's the product of {a} and {b}?",
        "{a} boxes hold {b} each. How many in all?",
        "Please multiply {a} and {b}.",
        "Compute {a}*{b}.",
        "{a} * {b}?",
        "{a} multiplied by {b} is how much?",
      ],
      heldOut: [
        "What do you get when you multiply {a} and {b}?",
        "If there are {a} groups of {b}, how many is that?",
        "Work out {a} × {b} for me.",
      ],
    },
  },
  id: {
    add: {
      train: [
        "Berapa {a} + {b}?",
        "Hitung {a} + {b}.",
        "Berapa {a} ditambah {b}?",
        "{a} + {b} = berapa?",
        "Jumlahkan {a} dan {b}.",
        "{a} tambah {b} berapa?",
        "Berapa jumlah {a} dan {b}?",
        "Saya punya {a} lalu dapat {b} lagi. Jadi berapa?",
        "Tolong tambahkan {a} dengan {b}.",
        "Hitunglah {a}+{b}.",
        "Total {a} dan {b}?",
        "{a} ditambah {b} hasilnya berapa?",
      ],
      heldOut: ["Berapa hasil penjumlahan {a} dan {b}?", "Kalau {a} digabung dengan {b}, totalnya berapa?", "Tolong hitungkan {a} + {b}."],
    },
    subtract: {
      train: [
        "Berapa {a} - {b}?",
        "Hitung {a} - {b}.",
        "Berapa {a} dikurangi {b}?",
        "{a} - {b} = berapa?",
        "Kurangkan {b} dari {a}.",
        "{a} kurang {b} berapa?",
        "Berapa selisih {a} dan {b}?",
        "Saya punya {a} lalu memberi {b}. Sisa berapa?",
        "Tolong kurangi {a} dengan {b}.",
        "Hitunglah {a}-{b}.",
        "{a} dikurang {b}?",
        "{a} dikurangi {b} hasilnya berapa?",
      ],
      heldOut: ["Berapa hasil pengurangan {a} dan {b}?", "Kalau {b} diambil dari {a}, sisanya berapa?", "Tolong hitungkan {a} - {b}."],
    },
    multiply: {
      train: [
        "Berapa {a} × {b}?",
        "Hitung {a} × {b}.",
        "Berapa {a} kali {b}?",
        "{a} × {b} = berapa?",
        "Kalikan {a} dengan {b}.",
        "{a} dikali {b} berapa?",
        "Berapa hasil kali {a} dan {b}?",
        "Ada {a} kotak berisi {b}. Semuanya berapa?",
        "Tolong kalikan {a} dan {b}.",
        "Hitunglah {a}*{b}.",
        "{a} * {b}?",
        "{a} dikalikan {b} hasilnya berapa?",
      ],
      heldOut: [
        "Berapa hasil perkalian {a} dan {b}?",
        "Kalau ada {a} kelompok berisi {b}, jumlahnya berapa?",
        "Tolong hitungkan {a} × {b}.",
      ],
    },
  },
  zh: {
    add: {
      train: [
        "{a}加{b}等于多少？",
        "计算{a}+{b}。",
        "{a}+{b}等于几？",
        "{a}+{b}=？",
        "请算{a}加{b}。",
        "{a}和{b}相加等于几？",
        "求{a}与{b}之和。",
        "我有{a}个，又拿到{b}个，一共几个？",
        "{a}加上{b}是多少？",
        "算一下{a}+{b}。",
        "{a}与{b}的总和？",
        "帮我算{a}加{b}。",
      ],
      heldOut: ["把{a}和{b}相加得多少？", "{a}与{b}的和是多少？", "{a}再加{b}，结果是？"],
    },
    subtract: {
      train: [
        "{a}减{b}等于多少？",
        "计算{a}-{b}。",
        "{a}-{b}等于几？",
        "{a}-{b}=？",
        "请算{a}减{b}。",
        "{a}和{b}相差多少？",
        "求{a}与{b}之差。",
        "我有{a}个，送出{b}个，还剩几个？",
        "{a}减去{b}是多少？",
        "算一下{a}-{b}。",
        "{a}比{b}多多少？",
        "帮我算{a}减{b}。",
      ],
      heldOut: ["从{a}里去掉{b}得多少？", "{a}与{b}的差是多少？", "{a}再减{b}，结果是？"],
    },
    multiply: {
      train: [
        "{a}乘{b}等于多少？",
        "计算{a}×{b}。",
        "{a}×{b}等于几？",
        "{a}×{b}=？",
        "请算{a}乘以{b}。",
        "{a}和{b}相乘等于几？",
        "求{a}与{b}之积。",
        "有{a}箱，每箱{b}个，一共几个？",
        "{a}乘以{b}是多少？",
        "算一下{a}*{b}。",
        "{a}*{b}？",
        "帮我算{a}乘{b}。",
      ],
      heldOut: ["把{a}和{b}相乘得多少？", "{a}与{b}的积是多少？", "{a}个{b}是多少？"],
    },
  },
};

const symbol: Record<Op, { expr: string; shown: string }> = {
  add: { expr: "+", shown: "+" },
  subtract: { expr: "-", shown: "-" },
  multiply: { expr: "*", shown: "×" },
};

/** Unit names as asked: the calculator's unit, then words for it in each language. */
const unitNames: Record<string, Record<Lang, string[]>> = {
  km: { en: ["km", "kilometers"], id: ["km", "kilometer"], zh: ["公里", "千米"] },
  mi: { en: ["miles", "mi"], id: ["mil"], zh: ["英里"] },
  m: { en: ["meters", "m"], id: ["meter", "m"], zh: ["米"] },
  ft: { en: ["feet", "ft"], id: ["kaki"], zh: ["英尺"] },
  cm: { en: ["cm", "centimeters"], id: ["cm", "sentimeter"], zh: ["厘米"] },
  in: { en: ["inches"], id: ["inci"], zh: ["英寸"] },
  kg: { en: ["kg", "kilograms"], id: ["kg", "kilogram"], zh: ["公斤", "千克"] },
  lb: { en: ["pounds", "lb"], id: ["pon"], zh: ["磅"] },
  g: { en: ["grams", "g"], id: ["gram"], zh: ["克"] },
  oz: { en: ["ounces", "oz"], id: ["ons"], zh: ["盎司"] },
  c: { en: ["degrees Celsius", "°C"], id: ["derajat Celsius", "°C"], zh: ["摄氏度"] },
  f: { en: ["degrees Fahrenheit", "°F"], id: ["derajat Fahrenheit", "°F"], zh: ["华氏度"] },
  l: { en: ["liters", "L"], id: ["liter"], zh: ["升"] },
  gal: { en: ["gallons"], id: ["galon"], zh: ["加仑"] },
};

/** `{n}` the number, `{u}` its unit, `{v}` the unit to convert to. */
const convertPhrasings: Record<Lang, Phrasings> = {
  en: {
    train: [
      "Convert {n} {u} to {v}.",
      "How many {v} is {n} {u}?",
      "What is {n} {u} in {v}?",
      "{n} {u} in {v}?",
      "Change {n} {u} into {v}.",
      "{n} {u} equals how many {v}?",
      "Please convert {n} {u} into {v}.",
      "I need {n} {u} in {v}.",
    ],
    heldOut: ["Express {n} {u} in {v}.", "If I have {n} {u}, how much is that in {v}?", "Turn {n} {u} into {v} for me."],
  },
  id: {
    train: [
      "Ubah {n} {u} ke {v}.",
      "Berapa {v} dalam {n} {u}?",
      "{n} {u} berapa {v}?",
      "{n} {u} sama dengan berapa {v}?",
      "Konversikan {n} {u} ke {v}.",
      "Tolong ubah {n} {u} menjadi {v}.",
      "{n} {u} dalam {v}?",
      "Saya perlu {n} {u} dalam {v}.",
    ],
    heldOut: ["Nyatakan {n} {u} dalam {v}.", "Kalau ada {n} {u}, itu berapa {v}?", "Tolong jadikan {n} {u} ke {v}."],
  },
  zh: {
    train: [
      "把{n}{u}换算成{v}。",
      "{n}{u}是多少{v}？",
      "{n}{u}等于多少{v}？",
      "{n}{u}合多少{v}？",
      "请把{n}{u}转换为{v}。",
      "{n}{u}换成{v}是多少？",
      "{n}{u}折合多少{v}？",
      "帮我把{n}{u}换成{v}。",
    ],
    heldOut: ["请用{v}表示{n}{u}。", "如果有{n}{u}，那是多少{v}？", "{n}{u}相当于多少{v}？"],
  },
};

/** A unit as an answer writes it. */
const shown = (unit: string) => ({ c: "°C", f: "°F", l: "L" })[unit] ?? unit;

const conversionAnswer: Record<Lang, string> = {
  en: "{n} {u} is {r} {v}.",
  id: "{n} {u} sama dengan {r} {v}.",
  zh: "{n} {u}等于{r} {v}。",
};

/** An operand of 1 to `digits` digits; one in five a decimal with one or two places. */
function operand(rnd: () => number, digits: number): number {
  const n = Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * digits))) || 1;
  if (rnd() < 0.2) return Number((n / (rnd() < 0.5 ? 10 : 100)).toFixed(2)) || 0.5;
  return n;
}

const ZH_DIGITS = "零一二三四五六七八九";

/** 1 to 99 in Chinese numerals, as people write small numbers: 七, 十二, 三十七. */
export function zhNumeral(n: number): string {
  const [tens, ones] = [Math.floor(n / 10), n % 10];
  if (!tens) return ZH_DIGITS[ones]!;
  return `${tens > 1 ? ZH_DIGITS[tens] : ""}十${ones ? ZH_DIGITS[ones] : ""}`;
}

/**
 * `perOp` sums, differences and products per language, each phrased one training way, and one held-out way. In
 * Chinese, `numeralShare` of them are of whole numbers below 100 written in Chinese numerals (七乘八), the
 * calculator still called with digits.
 */
export function addArithmetic(ds: Splits, lang: Lang, perOp: number, numeralShare = 0): void {
  for (const op of Object.keys(ops[lang]) as Op[]) {
    const s = symbol[op];
    for (let i = 0; i < perOp; i++) {
      const numerals = lang === "zh" && numeralShare > 0 && ds.rnd() < numeralShare;
      const small = () => 1 + Math.floor(ds.rnd() * 99);
      const a = numerals ? small() : operand(ds.rnd, op === "multiply" ? 3 : 4);
      const b = numerals ? small() : operand(ds.rnd, op === "multiply" ? 2 : 4);
      const expression = `${a}${s.expr}${b}`;
      const result = calculate(expression);
      const vars = numerals ? { a: zhNumeral(a), b: zhNumeral(b) } : { a, b };
      ds.add({
        lang,
        kind: "arithmetic",
        group: op,
        train: ops[lang][op].train.map((t) => fill(t, vars)),
        heldOut: ops[lang][op].heldOut.map((t) => fill(t, vars)),
        make: () => ({ answer: `${a} ${s.shown} ${b} = ${result}`, tools: [CALCULATOR], turns: calculatorTurns(expression, result) }),
        // One problem in four is asked only in a held-out way: new numbers as well as a new phrasing.
        ...(i % 4 === 0 ? { use: -1 } : { use: 1, heldOutUse: -1 }),
      });
    }
  }
}

/** `count` unit conversions per language through the calculator ("5 km to mi"). */
export function addConversions(ds: Splits, lang: Lang, count: number): void {
  const pairs = conversionPairs;
  for (let i = 0; i < count; i++) {
    const pair = ds.pick(pairs);
    const [from, to] = pair.split(" ") as [string, string];
    const n = operand(ds.rnd, 3);
    const expression = `${n} ${from} to ${to}`;
    const result = calculate(expression);
    const u = ds.pick(unitNames[from]![lang]);
    const v = ds.pick(unitNames[to]![lang]);
    const vars = { n, u, v };
    const p = convertPhrasings[lang];
    ds.add({
      lang,
      kind: "conversion",
      train: p.train.map((t) => fill(t, vars)),
      heldOut: p.heldOut.map((t) => fill(t, vars)),
      make: () => ({
        answer: fill(conversionAnswer[lang], { n, u: shown(from), v: shown(to), r: result }),
        tools: [CALCULATOR],
        turns: calculatorTurns(expression, result),
      }),
      ...(i % 4 === 0 ? { use: -1 } : { use: 1, heldOutUse: -1 }),
    });
  }
}
