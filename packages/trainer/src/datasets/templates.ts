import type { Lang } from "./facts.ts";

/**
 * Question templates: `train` phrasings are used for training and validation; `heldOut` phrasings only in the
 * eval set, so eval measures answering a known fact asked in a new way. `{x}` is the country (or operand).
 */
export interface TemplateSet {
  train: string[];
  heldOut: string[];
}

export type FactKind = "capital" | "currency" | "continent" | "language";

export const factTemplates: Record<Lang, Record<FactKind, TemplateSet>> = {
  en: {
    capital: {
      train: [
        "What is the capital of {x}?",
        "What's the capital city of {x}?",
        "Which city is the capital of {x}?",
        "Name the capital of {x}.",
        "Tell me the capital of {x}.",
        "{x}'s capital is which city?",
        "Capital of {x}?",
        "Please tell me the capital of {x}.",
        "I want to know the capital of {x}.",
        "{x} has which city as its capital?",
        "What is {x}'s capital?",
        "Which city is {x}'s capital?",
        "As for {x}, what is its capital?",
        "Capital city: {x}?",
        "What's {x}'s capital city called?",
        "Which city is the capital? I mean {x}.",
        "Speaking of {x}, which city is its capital?",
      ],
      heldOut: ["In {x}, what is the capital?", "Do you know the capital of {x}?", "What city serves as the capital of {x}?"],
    },
    currency: {
      train: [
        "What currency is used in {x}?",
        "What is the currency of {x}?",
        "Which currency does {x} use?",
        "Name the currency of {x}.",
        "Tell me the currency of {x}.",
        "What money do people use in {x}?",
        "Currency of {x}?",
        "Please tell me the currency of {x}.",
        "I want to know the currency of {x}.",
        "{x} uses which currency?",
        "What is {x}'s currency?",
        "Which money is used in {x}?",
        "As for {x}, what currency does it use?",
        "Currency: {x}?",
        "What's {x}'s money called?",
        "Which currency? I mean in {x}.",
        "Speaking of {x}, what is its currency?",
      ],
      heldOut: ["In {x}, what currency do they use?", "Do you know the currency of {x}?", "What is the official currency in {x}?"],
    },
    continent: {
      train: [
        "Which continent is {x} in?",
        "On what continent is {x}?",
        "What continent is {x} located in?",
        "Name the continent of {x}.",
        "Tell me which continent {x} is on.",
        "{x} is on which continent?",
        "Continent of {x}?",
        "Please tell me the continent of {x}.",
        "I want to know which continent {x} is on.",
        "{x} belongs to which continent?",
        "What is {x}'s continent?",
        "Where is {x} located?",
        "As for {x}, which continent is it on?",
        "Continent: {x}?",
        "What continent holds {x}?",
        "Which continent? I mean {x}.",
        "Speaking of {x}, what continent is it in?",
      ],
      heldOut: ["In which continent can you find {x}?", "Do you know what continent {x} belongs to?", "Where is {x}, on which continent?"],
    },
    language: {
      train: [
        "What language is spoken in {x}?",
        "What is the main language of {x}?",
        "Which language do people speak in {x}?",
        "Name the language of {x}.",
        "Tell me the language of {x}.",
        "What do people in {x} speak?",
        "Language of {x}?",
        "Please tell me the language of {x}.",
        "I want to know the language of {x}.",
        "{x} speaks which language?",
        "What is {x}'s language?",
        "Which language is used in {x}?",
        "As for {x}, what language is spoken there?",
        "Language: {x}?",
        "What's spoken in {x}?",
        "Which language? I mean in {x}.",
        "Speaking of {x}, what language do they speak?",
      ],
      heldOut: [
        "In {x}, what language do people speak?",
        "Do you know the main language of {x}?",
        "What is the primary language used in {x}?",
      ],
    },
  },
  id: {
    capital: {
      train: [
        "Apa ibu kota {x}?",
        "Ibu kota {x} adalah kota apa?",
        "Sebutkan ibu kota {x}.",
        "Kota mana yang menjadi ibu kota {x}?",
        "Beri tahu saya ibu kota {x}.",
        "Ibu kota negara {x} apa?",
        "Ibu kota {x}?",
        "Tolong sebutkan ibu kota {x}.",
        "Saya ingin tahu ibu kota {x}.",
        "{x} beribu kota di mana?",
        "Apa nama ibu kota {x}?",
        "Ibu kota dari {x} adalah?",
        "Kalau {x}, ibu kotanya apa?",
        "Ibu kota: {x}?",
        "Apa ibu kota negara {x}?",
        "Ibu kota yang mana? Maksud saya {x}.",
        "Soal {x}, apa ibu kotanya?",
      ],
      heldOut: ["Di {x}, apa ibu kotanya?", "Tahukah kamu ibu kota {x}?", "Kota apa yang merupakan ibu kota {x}?"],
    },
    currency: {
      train: [
        "Apa mata uang {x}?",
        "Mata uang apa yang dipakai di {x}?",
        "Sebutkan mata uang {x}.",
        "Uang apa yang digunakan di {x}?",
        "Beri tahu saya mata uang {x}.",
        "Mata uang negara {x} apa?",
        "Mata uang {x}?",
        "Tolong sebutkan mata uang {x}.",
        "Saya ingin tahu mata uang {x}.",
        "{x} memakai mata uang apa?",
        "Apa nama mata uang {x}?",
        "Mata uang dari {x} adalah?",
        "Kalau {x}, mata uangnya apa?",
        "Mata uang: {x}?",
        "Uang apa yang berlaku di {x}?",
        "Mata uang yang mana? Maksud saya {x}.",
        "Soal {x}, apa mata uangnya?",
      ],
      heldOut: ["Di {x}, mata uang apa yang dipakai?", "Tahukah kamu mata uang {x}?", "Apa mata uang resmi di {x}?"],
    },
    continent: {
      train: [
        "{x} ada di benua apa?",
        "Di benua mana {x} berada?",
        "Sebutkan benua tempat {x} berada.",
        "Benua apa tempat {x}?",
        "Beri tahu saya benua {x}.",
        "{x} terletak di benua apa?",
        "Benua {x}?",
        "Tolong sebutkan benua {x}.",
        "Saya ingin tahu benua {x}.",
        "{x} berada di benua apa?",
        "Apa nama benua {x}?",
        "Benua dari {x} adalah?",
        "Kalau {x}, benuanya apa?",
        "Benua: {x}?",
        "Negara {x} di benua apa?",
        "Benua yang mana? Maksud saya {x}.",
        "Soal {x}, ada di benua apa?",
      ],
      heldOut: ["Di benua apa kita bisa menemukan {x}?", "Tahukah kamu {x} ada di benua mana?", "{x} termasuk benua apa?"],
    },
    language: {
      train: [
        "Bahasa apa yang digunakan di {x}?",
        "Apa bahasa utama {x}?",
        "Orang di {x} berbicara bahasa apa?",
        "Sebutkan bahasa {x}.",
        "Beri tahu saya bahasa {x}.",
        "Bahasa resmi {x} apa?",
        "Bahasa {x}?",
        "Tolong sebutkan bahasa {x}.",
        "Saya ingin tahu bahasa {x}.",
        "{x} memakai bahasa apa?",
        "Apa nama bahasa {x}?",
        "Bahasa dari {x} adalah?",
        "Kalau {x}, bahasanya apa?",
        "Bahasa: {x}?",
        "Bahasa apa yang dipakai orang {x}?",
        "Bahasa yang mana? Maksud saya {x}.",
        "Soal {x}, bahasa apa yang dipakai?",
      ],
      heldOut: ["Di {x}, orang berbicara bahasa apa?", "Tahukah kamu bahasa utama {x}?", "Apa bahasa utama yang dipakai di {x}?"],
    },
  },
  zh: {
    capital: {
      train: [
        "{x}的首都是哪里？",
        "{x}的首都是什么？",
        "{x}的首都是哪座城市？",
        "请说出{x}的首都。",
        "告诉我{x}的首都。",
        "{x}首都是哪里？",
        "{x}的首都？",
        "请问{x}的首都是哪里？",
        "我想知道{x}的首都。",
        "{x}以哪座城市为首都？",
        "{x}这个国家的首都是？",
        "你能告诉我{x}的首都吗？",
        "关于{x}，它的首都是哪里？",
        "说到{x}，首都在哪？",
        "首都在哪里呢，{x}的？",
        "考考你：{x}的首都？",
        "有人问{x}首都是哪座城市。",
        "国家是{x}，首都是？",
        "想问一下首都：{x}。",
        "那么{x}的首都呢？",
      ],
      heldOut: ["你知道{x}的首都吗？", "哪座城市是{x}的首都？", "在{x}，首都是哪里？"],
    },
    currency: {
      train: [
        "{x}使用什么货币？",
        "{x}的货币是什么？",
        "{x}用哪种货币？",
        "请说出{x}的货币。",
        "告诉我{x}的货币。",
        "{x}人用什么钱？",
        "{x}的货币？",
        "请问{x}的货币是什么？",
        "我想知道{x}的货币。",
        "{x}通用哪种货币？",
        "{x}这个国家用什么货币？",
        "你能告诉我{x}的货币吗？",
        "关于{x}，它用什么货币？",
        "说到{x}，那里用什么钱？",
        "货币是什么呢，{x}的？",
        "考考你：{x}的货币？",
        "去{x}要带什么货币？",
        "国家是{x}，货币是？",
        "想问一下货币：{x}。",
        "那么{x}的货币呢？",
      ],
      heldOut: ["你知道{x}的货币吗？", "在{x}，人们用什么货币？", "{x}的法定货币是什么？"],
    },
    continent: {
      train: [
        "{x}位于哪个大洲？",
        "{x}在哪个洲？",
        "{x}属于哪个大洲？",
        "请说出{x}所在的大洲。",
        "告诉我{x}在哪个洲。",
        "{x}是哪个洲的国家？",
        "{x}所在的大洲？",
        "请问{x}在哪个大洲？",
        "我想知道{x}在哪个洲。",
        "{x}位于哪一个洲？",
        "{x}这个国家在哪个洲？",
        "你能告诉我{x}在哪个大洲吗？",
        "关于{x}，它在哪个洲？",
        "说到{x}，它属于哪个洲？",
        "在哪个洲呢，{x}？",
        "考考你：{x}在哪个洲？",
        "地图上{x}在哪个大洲？",
        "国家是{x}，大洲是？",
        "想问一下大洲：{x}。",
        "那么{x}在哪个洲呢？",
      ],
      heldOut: ["你知道{x}在哪个大洲吗？", "在哪个大洲可以找到{x}？", "{x}地处哪个洲？"],
    },
    language: {
      train: [
        "{x}说什么语言？",
        "{x}的主要语言是什么？",
        "{x}人讲哪种语言？",
        "请说出{x}的语言。",
        "告诉我{x}的语言。",
        "{x}使用哪种语言？",
        "{x}的语言？",
        "请问{x}说什么语言？",
        "我想知道{x}的语言。",
        "{x}讲什么话？",
        "{x}这个国家说什么语言？",
        "你能告诉我{x}的语言吗？",
        "关于{x}，那里说什么语言？",
        "说到{x}，人们讲什么语言？",
        "说什么语言呢，{x}的人？",
        "考考你：{x}的语言？",
        "去{x}要会什么语言？",
        "国家是{x}，语言是？",
        "想问一下语言：{x}。",
        "那么{x}的语言呢？",
      ],
      heldOut: ["你知道{x}的主要语言吗？", "在{x}，人们说什么语言？", "{x}通用什么语言？"],
    },
  },
};

/**
 * Building blocks for many more training phrasings than the lists above: each question with a greeting before or
 * thanks after it, and each noun phrase ("the capital of {x}") inside a request ("Can you tell me …?"). Held-out
 * phrasings use wrappers and word orders that are not here, so the eval still measures generalisation.
 */
interface Composition {
  prefixes: string[];
  suffixes: string[];
  /** `{n}` is the noun phrase. */
  wrappers: string[];
  nouns: Record<FactKind, string[]>;
  /** Lower-cases a question's first letter after a prefix ending in "," or ":" (not for Chinese). */
  lowerAfterPrefix: boolean;
}

const composition: Record<Lang, Composition> = {
  en: {
    prefixes: ["Hi! ", "Hey, ", "Quick question: ", "Excuse me, ", "Question: ", "Hello. ", "So, ", "Okay, "],
    suffixes: [" Thanks!", " Thank you.", " Answer briefly."],
    wrappers: [
      "Tell me {n}.",
      "Please tell me {n}.",
      "I want to know {n}.",
      "Can you tell me {n}?",
      "Could you tell me {n}?",
      "I'd like to know {n}.",
      "Name {n}.",
      "Give me {n}.",
      "I need {n}.",
      "Let me know {n}.",
      "Tell me {n}, please.",
      "Help me find {n}.",
      "Please name {n}.",
      "I'm curious about {n}.",
    ],
    nouns: {
      capital: ["the capital of {x}", "the capital city of {x}", "{x}'s capital", "the city that serves as {x}'s capital"],
      currency: ["the currency of {x}", "the currency used in {x}", "{x}'s currency", "{x}'s official currency"],
      continent: ["the continent of {x}", "the continent {x} is on", "{x}'s continent", "the continent where you find {x}"],
      language: ["the language of {x}", "the main language of {x}", "the language spoken in {x}", "{x}'s primary language"],
    },
    lowerAfterPrefix: true,
  },
  id: {
    prefixes: ["Halo, ", "Hai, ", "Permisi, ", "Pertanyaan: ", "Maaf, ", "Jadi, ", "Oke, "],
    suffixes: [" Terima kasih.", " Jawab singkat saja.", " Makasih!"],
    wrappers: [
      "Sebutkan {n}.",
      "Beri tahu saya {n}.",
      "Tolong sebutkan {n}.",
      "Saya ingin tahu {n}.",
      "Bisakah kamu memberi tahu {n}?",
      "Coba sebutkan {n}.",
      "Mohon sebutkan {n}.",
      "Saya perlu tahu {n}.",
      "Katakan {n}.",
      "Tolong beri tahu {n}.",
      "Saya penasaran dengan {n}.",
      "Bantu saya mencari {n}.",
    ],
    nouns: {
      capital: ["ibu kota {x}", "ibu kota negara {x}", "nama ibu kota {x}", "kota yang merupakan ibu kota negara {x}"],
      currency: ["mata uang {x}", "mata uang yang dipakai di {x}", "nama mata uang {x}", "mata uang resmi negara {x}"],
      continent: ["benua {x}", "benua tempat {x} berada", "nama benua {x}", "benua tempat kita bisa menemukan {x}"],
      language: ["bahasa {x}", "bahasa utama {x}", "bahasa yang digunakan di {x}", "bahasa utama orang {x}"],
    },
    lowerAfterPrefix: true,
  },
  zh: {
    prefixes: ["你好，", "请问，", "问一下，", "嗨，", "打扰一下，", "对了，", "老师，", "我想问", "那", "好奇问下：", "嗯，"],
    suffixes: ["谢谢！", "简单回答就好。", "多谢。"],
    wrappers: [
      "告诉我{n}。",
      "请告诉我{n}。",
      "我想知道{n}。",
      "你能告诉我{n}吗？",
      "请说出{n}。",
      "麻烦告诉我{n}。",
      "我想了解{n}。",
      "说一下{n}。",
      "{n}是？",
      "能说说{n}吗？",
      "帮我查一下{n}。",
      "我很好奇{n}。",
    ],
    nouns: {
      capital: ["{x}的首都", "{x}的首都城市", "{x}这个国家的首都", "作为{x}首都的城市"],
      currency: ["{x}的货币", "{x}使用的货币", "{x}这个国家的货币", "{x}的法定货币", "{x}人们使用的货币"],
      continent: ["{x}所在的大洲", "{x}位于的大洲", "{x}属于的大洲", "{x}地处的大洲", "能找到{x}的大洲"],
      language: ["{x}的语言", "{x}的主要语言", "{x}使用的语言", "{x}通用的语言", "{x}人们说的语言"],
    },
    lowerAfterPrefix: false,
  },
};

/**
 * Every training phrasing of a fact kind: the listed questions, each also with a prefix and with a suffix, and
 * every noun phrase in every wrapper. Throws if one equals a held-out phrasing.
 */
export function trainPhrasings(lang: Lang, kind: FactKind): string[] {
  const c = composition[lang];
  const set = factTemplates[lang][kind];
  const out = new Set(set.train);
  for (const q of set.train) {
    const lower = c.lowerAfterPrefix && !q.startsWith("{") && !/^I\b/.test(q) ? q[0]!.toLowerCase() + q.slice(1) : q;
    for (const p of c.prefixes) out.add(p + (/[,:]\s*$/.test(p) ? lower : q));
    for (const s of c.suffixes) out.add(q + s);
  }
  for (const w of c.wrappers) for (const n of c.nouns[kind]) out.add(w.replace("{n}", n));
  const leak = set.heldOut.find((h) => out.has(h));
  if (leak) throw new Error(`held-out phrasing "${leak}" is also a training phrasing (${lang}/${kind})`);
  return [...out];
}

export const answerEnd: Record<Lang, string> = { en: ".", id: ".", zh: "。" };
