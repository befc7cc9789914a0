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

/**
 * More training phrasings, which markets' datasets ask in (`SkillSizes.widerPhrasings`): measured on the adapters
 * trained on the 12 above, held-out phrasings got the right call 43% (zh) to 60% (en) of the time, mostly the
 * wrong operator ("{a}个{b}" → minus), against 95% for facts asked in 170–240 ways. The shipped base was trained
 * without them, so its dataset is unchanged.
 */
const widerOps: Record<Lang, Record<Op, string[]>> = {
  en: {
    add: [
      "Sum {a} and {b}.",
      "What does {a} plus {b} come to?",
      "Can you add {a} and {b}?",
      "Find the sum of {a} and {b}.",
      "Add {b} to {a}.",
      "{a} and {b} added together?",
      "Tell me {a} plus {b}.",
      "What's {a} + {b}?",
      "How much do {a} and {b} make together?",
      "Combine {a} and {b}: what is the total?",
      "If I add {b} to {a}, what do I get?",
      "I need the total of {a} and {b}.",
      "Quick: {a} + {b}?",
      "Figure out {a} plus {b}.",
      "Solve {a} + {b}.",
      "Give me the sum of {a} and {b}.",
      "Put {a} and {b} together. How much?",
      "Increase {a} by {b}.",
      "What is the total when {a} is added to {b}?",
      "Count {a} and {b} together.",
    ],
    subtract: [
      "What's {a} - {b}?",
      "Find the difference of {a} and {b}.",
      "Take away {b} from {a}.",
      "What do you get if you subtract {b} from {a}?",
      "Can you subtract {b} from {a}?",
      "Tell me {a} minus {b}.",
      "Decrease {a} by {b}.",
      "{a} less {b}?",
      "How much is {a} less {b}?",
      "Remove {b} from {a}. What is left?",
      "If {b} is taken from {a}, how many remain?",
      "Solve {a} - {b}.",
      "Figure out {a} minus {b}.",
      "Quick: {a} - {b}?",
      "What is left after taking {b} from {a}?",
      "Give me {a} minus {b}.",
      "{a} reduced by {b} is?",
      "I had {a}, then lost {b}. What remains?",
      "Deduct {b} from {a}.",
      "What does {a} minus {b} come to?",
    ],
    multiply: [
      "What's {a} × {b}?",
      "Find the product of {a} and {b}.",
      "Can you multiply {a} by {b}?",
      "Tell me {a} times {b}.",
      "What do you get if you multiply {a} by {b}?",
      "{a} groups of {b} make how many?",
      "Solve {a} × {b}.",
      "Figure out {a} times {b}.",
      "Quick: {a} × {b}?",
      "Give me the product of {a} and {b}.",
      "{a} lots of {b}?",
      "There are {a} rows of {b}. How many in total?",
      "How much are {a} times {b}?",
      "Times {a} by {b}.",
      "What does {a} times {b} come to?",
      "{a} sets of {b} each: how many altogether?",
      "Work {a} × {b} out.",
      "Multiply {a} with {b}.",
      "If each of {a} bags has {b}, how many are there?",
      "{a} times {b} equals what?",
    ],
  },
  id: {
    add: [
      "{a} plus {b} berapa?",
      "Tambahkan {b} ke {a}.",
      "Berapa total {a} ditambah {b}?",
      "Coba hitung {a} + {b}.",
      "Hasil {a} + {b} berapa?",
      "Bisa jumlahkan {a} dan {b}?",
      "Cari jumlah {a} dan {b}.",
      "Kalau {a} ditambah {b}, hasilnya?",
      "Gabungkan {a} dan {b}, jadi berapa?",
      "Berapa {a} jika ditambah {b}?",
      "{a} dan {b} dijumlahkan jadi berapa?",
      "Tolong hitung {a} tambah {b}.",
      "Aku punya {a}, ditambah {b}. Totalnya?",
      "Berapakah {a} + {b}?",
      "Jumlah dari {a} dan {b} berapa?",
      "Hitung jumlah {a} dengan {b}.",
      "Selesaikan {a} + {b}.",
      "Cepat: {a} + {b}?",
      "Naikkan {a} sebanyak {b}.",
      "Penjumlahan {a} dan {b} hasilnya?",
    ],
    subtract: [
      "{a} minus {b} berapa?",
      "Ambil {b} dari {a}.",
      "Coba hitung {a} - {b}.",
      "Hasil {a} - {b} berapa?",
      "Bisa kurangi {a} dengan {b}?",
      "Cari selisih {a} dan {b}.",
      "Kalau {a} dikurangi {b}, hasilnya?",
      "Berapa sisa {a} setelah diambil {b}?",
      "Berapakah {a} - {b}?",
      "Tolong hitung {a} kurang {b}.",
      "Aku punya {a}, hilang {b}. Sisanya?",
      "Selesaikan {a} - {b}.",
      "Cepat: {a} - {b}?",
      "Turunkan {a} sebanyak {b}.",
      "Pengurangan {a} dengan {b} hasilnya?",
      "{a} dikurangi {b} sama dengan?",
      "Kurangkan {a} dengan {b}, jadi berapa?",
      "Sisa dari {a} dikurangi {b} berapa?",
      "Berapa {a} jika dikurangi {b}?",
      "Hitung selisih {a} dengan {b}.",
    ],
    multiply: [
      "{a} kali {b} berapa?",
      "Coba hitung {a} × {b}.",
      "Hasil {a} × {b} berapa?",
      "Bisa kalikan {a} dengan {b}?",
      "Cari hasil kali {a} dan {b}.",
      "Kalau {a} dikali {b}, hasilnya?",
      "Berapakah {a} × {b}?",
      "Tolong hitung {a} kali {b}.",
      "Ada {a} baris, tiap baris {b}. Totalnya?",
      "Selesaikan {a} × {b}.",
      "Cepat: {a} × {b}?",
      "Perkalian {a} dengan {b} hasilnya?",
      "{a} dikalikan dengan {b} sama dengan?",
      "Berapa {a} jika dikali {b}?",
      "Ada {a} kantong, masing-masing {b}. Semuanya berapa?",
      "{a} kelompok dengan {b} tiap kelompok, jadi berapa?",
      "Kalikan {a} dan {b}, jadi berapa?",
      "Hitung perkalian {a} dan {b}.",
      "Berapa {a} dikali {b}?",
      "Hasil kali {a} dengan {b}?",
    ],
  },
  zh: {
    add: [
      "{a}加{b}是多少？",
      "{a}加{b}得几？",
      "{a}加上{b}等于多少？",
      "请计算{a}加{b}。",
      "{a}和{b}的和？",
      "{a}加{b}，等于？",
      "把{a}加上{b}。",
      "{a}加{b}得多少？",
      "{a}和{b}加起来是多少？",
      "{a}与{b}相加是多少？",
      "求{a}加{b}的结果。",
      "{a}加{b}结果是多少？",
      "算算{a}加{b}。",
      "{a}和{b}一共是多少？",
      "{a}加{b}，答案是？",
      "你能算{a}加{b}吗？",
      "{a}+{b}是多少？",
      "{a}加{b}的和是几？",
      "先有{a}个，再来{b}个，共有多少？",
      "{a}添上{b}是多少？",
      "{a}加{b}，结果是？",
    ],
    subtract: [
      "{a}减{b}是多少？",
      "{a}减{b}得几？",
      "{a}减去{b}等于多少？",
      "请计算{a}减{b}。",
      "{a}和{b}的差？",
      "{a}减{b}，等于？",
      "从{a}中减去{b}。",
      "{a}减{b}得多少？",
      "{a}拿走{b}还剩多少？",
      "{a}与{b}相减是多少？",
      "求{a}减{b}的结果。",
      "{a}减{b}结果是多少？",
      "算算{a}减{b}。",
      "{a}去掉{b}剩多少？",
      "{a}减{b}，答案是？",
      "你能算{a}减{b}吗？",
      "{a}-{b}是多少？",
      "{a}减{b}的差是几？",
      "本来有{a}个，用掉{b}个，剩下多少？",
      "从{a}里拿掉{b}是多少？",
      "{a}减{b}，结果是？",
      "{a}先减掉{b}，得多少？",
      "有{a}个，再送走{b}个，还剩多少？",
    ],
    multiply: [
      "{a}乘{b}是多少？",
      "{a}乘{b}得几？",
      "{a}乘以{b}等于多少？",
      "请计算{a}乘{b}。",
      "{a}和{b}的积？",
      "{a}乘{b}，等于？",
      "{a}乘{b}得多少？",
      "{a}与{b}相乘是多少？",
      "求{a}乘{b}的结果。",
      "{a}乘{b}结果是多少？",
      "算算{a}乘{b}。",
      "{a}乘{b}，答案是？",
      "你能算{a}乘{b}吗？",
      "{a}×{b}是多少？",
      "{a}乘{b}的积是几？",
      "{a}组，每组{b}个，共多少个？",
      "{a}的{b}倍是多少？",
      "{a}份{b}是多少？",
      "{a}包，每包{b}个，一共多少？",
      "{a}乘上{b}是多少？",
      "{a}乘{b}，结果是？",
      "{a}再乘以{b}得多少？",
      "{a}个{b}加起来是多少？",
      "{a}个{b}一共多少？",
    ],
  },
};

/** More conversion phrasings, for markets' datasets as above: cn's adapter got the held-out ones right 40% of the time. */
const widerConvert: Record<Lang, string[]> = {
  en: [
    "What's {n} {u} in {v}?",
    "Can you convert {n} {u} to {v}?",
    "{n} {u} is how many {v}?",
    "Give me {n} {u} in {v}.",
    "Tell me {n} {u} in {v}.",
    "How much is {n} {u} in {v}?",
    "I have {n} {u}. How many {v} is that?",
    "Switch {n} {u} to {v}.",
    "{n} {u} to {v}, please.",
    "What would {n} {u} be in {v}?",
    "Show {n} {u} as {v}.",
    "How many {v} are in {n} {u}?",
  ],
  id: [
    "Berapa {n} {u} dalam {v}?",
    "Bisa ubah {n} {u} ke {v}?",
    "{n} {u} itu berapa {v}?",
    "Konversi {n} {u} menjadi {v}.",
    "Saya punya {n} {u}. Itu berapa {v}?",
    "Hitung {n} {u} dalam {v}.",
    "Ganti {n} {u} ke {v}.",
    "{n} {u} ke {v} berapa?",
    "Tunjukkan {n} {u} dalam {v}.",
    "Jika {n} {u}, berapa {v}?",
    "Ubahlah {n} {u} jadi {v}.",
    "Berapa banyak {v} dalam {n} {u}?",
  ],
  zh: [
    "{n}{u}换算成{v}是多少？",
    "{n}{u}是几{v}？",
    "请问{n}{u}等于几{v}？",
    "把{n}{u}转成{v}。",
    "{n}{u}用{v}算是多少？",
    "我有{n}{u}，是多少{v}？",
    "{n}{u}等于几{v}？",
    "{n}{u}可以换成多少{v}？",
    "将{n}{u}换算为{v}。",
    "{n}{u}按{v}算是多少？",
    "{n}{u}约合多少{v}？",
    "{n}{u}化成{v}是多少？",
    "用{v}算，{n}{u}是多少？",
    "以{v}计，{n}{u}有多少？",
    "换成{v}：{n}{u}。",
    "要是有{n}{u}，换成{v}是多少？",
    "假如有{n}{u}，等于几{v}？",
  ],
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
 * `perOp` sums, differences and products per language, each phrased one training way (of the wider set too, with
 * `wider`), and one held-out way. In Chinese, `numeralShare` of them are of whole numbers below 100 written in
 * Chinese numerals (七乘八), the calculator still called with digits.
 */
export function addArithmetic(ds: Splits, lang: Lang, perOp: number, numeralShare = 0, wider = false): void {
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
        train: [...ops[lang][op].train, ...(wider ? widerOps[lang][op] : [])].map((t) => fill(t, vars)),
        heldOut: ops[lang][op].heldOut.map((t) => fill(t, vars)),
        make: () => ({ answer: `${a} ${s.shown} ${b} = ${result}`, tools: [CALCULATOR], turns: calculatorTurns(expression, result) }),
        // One problem in four is asked only in a held-out way: new numbers as well as a new phrasing.
        ...(i % 4 === 0 ? { use: -1 } : { use: 1, heldOutUse: -1 }),
      });
    }
  }
}

/** `count` unit conversions per language through the calculator ("5 km to mi"), `wider` as for arithmetic. */
export function addConversions(ds: Splits, lang: Lang, count: number, wider = false): void {
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
      train: [...p.train, ...(wider ? widerConvert[lang] : [])].map((t) => fill(t, vars)),
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
