import type { CountryFacts, Lang } from "./facts.ts";
import type { FactKind } from "./templates.ts";

/**
 * Plain sentences that state a country's facts, the country first or last, each the answer to a request for
 * facts about it ("Tell me about {x}."), and one sentence with all of them. `{x}` is the country, `{v}` the value.
 */
const statements: Record<Lang, Record<FactKind, string[]>> = {
  en: {
    capital: ["The capital of {x} is {v}.", "{v} is the capital of {x}.", "{x}'s capital city is {v}."],
    currency: ["The currency of {x} is the {v}.", "People in {x} pay with the {v}.", "{x} uses the {v}."],
    continent: ["{x} is in {v}.", "{x} is a country in {v}.", "You find {x} in {v}."],
    language: ["The main language of {x} is {v}.", "People in {x} mostly speak {v}.", "{v} is the language of {x}."],
  },
  id: {
    capital: ["Ibu kota {x} adalah {v}.", "{v} adalah ibu kota {x}.", "{x} beribu kota {v}."],
    currency: ["Mata uang {x} adalah {v}.", "Orang di {x} membayar dengan {v}.", "{x} memakai {v}."],
    continent: ["{x} berada di {v}.", "{x} adalah negara di {v}.", "{x} terletak di benua {v}."],
    language: ["Bahasa utama {x} adalah {v}.", "Orang di {x} berbicara {v}.", "{v} adalah bahasa {x}."],
  },
  zh: {
    capital: ["{x}的首都是{v}。", "{v}是{x}的首都。", "{x}这个国家的首都叫{v}。"],
    currency: ["{x}的货币是{v}。", "{x}人用{v}付钱。", "{v}是{x}使用的货币。"],
    continent: ["{x}位于{v}。", "{x}是{v}的一个国家。", "从地图上看，{x}在{v}。"],
    language: ["{x}的主要语言是{v}。", "{x}的人们大多说{v}。", "{v}是{x}的主要语言。"],
  },
};

const requests: Record<Lang, string[]> = {
  en: ["Tell me about {x}.", "Tell me a fact about {x}.", "What do you know about {x}?", "Say something about {x}."],
  id: ["Ceritakan tentang {x}.", "Sebutkan satu fakta tentang {x}.", "Apa yang kamu tahu tentang {x}?", "Jelaskan sedikit tentang {x}."],
  zh: ["介绍一下{x}。", "说一个关于{x}的事实。", "关于{x}你知道什么？", "讲讲{x}吧。"],
};

const profile: Record<Lang, string> = {
  en: "{x}: capital {capital}, currency {currency}, in {continent}, main language {language}.",
  id: "{x}: ibu kota {capital}, mata uang {currency}, di {continent}, bahasa utama {language}.",
  zh: "{x}：首都{capital}，货币{currency}，位于{continent}，主要语言是{language}。",
};

/** Every request paired with every statement of one of `f`'s facts, and with its profile where all are known. */
export function factSentences(lang: Lang, f: CountryFacts): Array<{ question: string; answer: string; template: string }> {
  const x = f.name[lang]!;
  const out: Array<{ question: string; answer: string; template: string }> = [];
  const kinds = Object.keys(statements[lang]) as FactKind[];
  requests[lang].forEach((r, ri) => {
    const question = r.replace("{x}", x);
    for (const kind of kinds) {
      const v = f[kind][lang];
      if (!v) continue;
      statements[lang][kind].forEach((s, si) => {
        out.push({ question, answer: s.replace("{x}", x).replace("{v}", v), template: `${ri}/${kind}/${si}` });
      });
    }
    if (kinds.every((k) => f[k][lang])) {
      const answer = profile[lang].replace(/\{(\w+)\}/g, (_, k: string) => (k === "x" ? x : f[k as FactKind][lang]!));
      out.push({ question, answer, template: `${ri}/profile` });
    }
  });
  return out;
}
