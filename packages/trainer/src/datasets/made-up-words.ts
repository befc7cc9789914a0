import type { Lang } from "./facts.ts";

/**
 * Words no dataset repeats: names and values made of random syllables (or random Chinese characters), so that an
 * answer holding one can only have been copied from the prompt. A model trained on a few dozen fixed values learns
 * to write a plausible one instead of the one it was given.
 */
type Random = () => number;
const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const onsets = [
  "b",
  "d",
  "f",
  "g",
  "h",
  "k",
  "l",
  "m",
  "n",
  "p",
  "r",
  "s",
  "t",
  "v",
  "w",
  "z",
  "br",
  "ch",
  "dr",
  "gr",
  "kl",
  "sh",
  "st",
  "tr",
];
const vowels = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ei", "ou", "ia"];
const codas = ["", "", "", "n", "r", "l", "s", "k", "m", "th", "ck", "nd"];

/** A made-up word of `syllables` syllables in Latin letters ("drelomak"). */
function latinWord(rnd: Random, syllables: number): string {
  let w = "";
  for (let i = 0; i < syllables; i++)
    w += pick(rnd, onsets) + pick(rnd, vowels) + (i === syllables - 1 || rnd() < 0.3 ? pick(rnd, codas) : "");
  return w;
}
const capital = (w: string) => w[0]!.toUpperCase() + w.slice(1);

// Common characters for made-up Chinese names and values: a character seen in other words is one token.
const hanzi = [
  ..."山水林石云风雪月星河湖海江溪泉田花草木竹松柏桃李杏梅兰菊荷枫柳杨桐金银铜铁玉珠宝光明清远长安平宁和春秋冬夏东西南北",
  ..."红白青黑黄紫蓝绿灰橙粉新古大小高深广丰富晓志文武德仁义礼智信华美秀英俊峰岩岭谷川原湾港洲亭桥台楼阁园庄村城",
];
const surnames = [..."王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"];
const hanziWord = (rnd: Random, n: number) => Array.from({ length: n }, () => pick(rnd, hanzi)).join("");

export type EntityType = "town" | "product" | "person";

/** A made-up name of a town, a product or a person in `lang`'s script and manner. */
export function madeUpName(rnd: Random, lang: Lang, type: EntityType): string {
  if (lang === "zh") {
    if (type === "town") return `${hanziWord(rnd, 2)}${pick(rnd, ["镇", "村", "乡"])}`;
    if (type === "person") return pick(rnd, surnames) + hanziWord(rnd, 1 + Math.floor(rnd() * 2));
    return `${hanziWord(rnd, 2)}${pick(rnd, ["牌", "号", "型"])}${1 + Math.floor(rnd() * 9)}`;
  }
  const word = () => capital(latinWord(rnd, 2 + Math.floor(rnd() * 2)));
  if (type === "town") return rnd() < 0.25 ? `${word()} ${word()}` : word();
  if (type === "person") return `${capital(latinWord(rnd, 2))} ${word()}`;
  return `${word()} ${pick(rnd, ["", "X", "Pro ", "Mini ", "Max "])}${1 + Math.floor(rnd() * 9)}`;
}

/** A made-up value: one or two made-up words, in Chinese with the ending its kind takes (色 for a colour). */
export function madeUpValue(rnd: Random, lang: Lang, ending = ""): string {
  if (lang === "zh") return hanziWord(rnd, 1 + Math.floor(rnd() * 3)) + ending;
  const words = 1 + Math.floor(rnd() * 2);
  return Array.from({ length: words }, () => latinWord(rnd, 1 + Math.floor(rnd() * 2))).join(" ");
}

/** A run of made-up words and numbers to repeat back: 3 to 12 of them (in Chinese, 3 to 8 short words). */
export function madeUpText(rnd: Random, lang: Lang): string {
  const n = 3 + Math.floor(rnd() * (lang === "zh" ? 6 : 10));
  const parts = Array.from({ length: n }, () => {
    const r = rnd();
    if (r < 0.15) return String(Math.floor(rnd() * 100_000));
    if (lang === "zh") return hanziWord(rnd, 1 + Math.floor(rnd() * 3));
    return r < 0.35 ? capital(latinWord(rnd, 1 + Math.floor(rnd() * 3))) : latinWord(rnd, 1 + Math.floor(rnd() * 3));
  });
  return parts.join(lang === "zh" ? (rnd() < 0.5 ? "" : "，") : " ");
}
