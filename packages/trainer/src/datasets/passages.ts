import type { Example } from "./build.ts";
import { CALCULATOR } from "./calculator.ts";
import type { Lang } from "./facts.ts";
import { type EntityType, madeUpName, madeUpValue } from "./made-up-words.ts";
import { fill, type Splits } from "./splits.ts";

/**
 * Answering from passages in the search skill's prompt: its instructions and numbered sources in the system turn,
 * the question, and an answer copied from the passage that holds it, with that passage's [n]. The documents are
 * made up (places, products and people that do not exist), so an answer can only come from the passages.
 */

/** The search skill's instructions, word for word (the assistant's sourcesPrompt). */
export const SOURCES_INSTRUCTION =
  "Answer the user's question from these sources of their knowledge base. After each claim taken from a source, cite it as [n]. If the sources do not answer the question, say so.";

interface Attribute {
  /** The sentence stating it: `{e}` the entity, `{v}` the value. */
  sentence: string;
  train: string[];
  heldOut: string[];
  value: (p: Pools, s: Splits) => string;
}
interface Lists {
  names: Record<EntityType, string[]>;
  things: string[];
  colors: string[];
  jobs: string[];
}
/** Names and values for made-up documents: half from the lists below, half made up (see made-up-words.ts). */
interface Pools {
  name: (s: Splits, type: EntityType) => string;
  value: (s: Splits, list: "things" | "colors" | "jobs") => string;
}
const MADE_UP_SHARE = 0.5;
/** What a made-up value of a list ends with: a colour in Chinese ends in 色 (a job in English gets its article in `pools`). */
const endings: Record<Lang, Partial<Record<"things" | "colors" | "jobs", string>>> = {
  zh: { colors: "色" },
  en: {},
  id: {},
};
const year = (s: Splits) => String(1700 + Math.floor(s.rnd() * 320));
const count = (s: Splits) => String(1000 + Math.floor(s.rnd() * 900_000));

// Names are built from three syllable lists (the middle one may be empty): 1,728 names per kind, so that a name
// is rarely seen twice in training and an answer has to be copied from the passages, not remembered.
const syllables = {
  latin: [
    ["Val", "Mor", "Ket", "Lin", "Dra", "Sol", "Ber", "Quin", "Tor", "Ast", "Fen", "Ral", "Osk", "Pel", "Wen", "Zar"],
    ["", "an", "er", "ol", "im", "us", "ad", "eg", "ub"],
    ["ora", "ith", "enby", "ara", "ost", "ella", "und", "ima", "ock", "avel", "usa", "ein"],
  ],
  zh: [
    ["岚", "墨", "青", "云", "石", "桐", "苍", "霁", "澜", "砚", "朔", "黎", "檀", "芜", "漪", "蔚"],
    ["", "安", "松", "枫", "泉", "宁", "月", "禾", "风"],
    ["溪", "川", "原", "湾", "岭", "谷", "港", "洲", "亭", "坪", "塘", "崖"],
  ],
};

function pools(lang: Lang): Pools {
  const l = lists(lang);
  const made = (s: Splits) => s.rnd() < MADE_UP_SHARE;
  return {
    name: (s, type) => (made(s) ? madeUpName(s.rnd, lang, type) : s.pick(l.names[type])),
    value: (s, list) => {
      if (!made(s)) return s.pick(l[list]);
      const v = madeUpValue(s.rnd, lang, endings[lang][list]);
      return lang === "en" && list === "jobs" ? `${/^[aeiou]/.test(v) ? "an" : "a"} ${v}` : v;
    },
  };
}

function lists(lang: Lang): Lists {
  const [a, m, b] = lang === "zh" ? syllables.zh : syllables.latin;
  const stems = a!.flatMap((x) => m!.flatMap((y) => b!.map((z) => x + y + z)));
  if (lang === "zh")
    return {
      names: {
        town: stems.map((s) => `${s}镇`),
        product: stems.map((s, i) => `${s}${["牌", "号", "型"][i % 3]}${(i % 9) + 1}`),
        person: stems.map((s, i) => `${"林陈赵周吴郑孙何"[i % 8]}${s}`),
      },
      things: ["蓝色黏土", "手工纸", "梨子酒", "铜铃", "竹编篮", "盐烤鱼", "羊毛毯", "茶饼"],
      colors: ["红色", "深蓝色", "银色", "墨绿色", "米白色", "橙色"],
      jobs: ["钟表匠", "船长", "陶艺家", "天文学家", "面包师", "地图绘制师"],
    };
  return {
    names: {
      town: stems,
      product: stems.map((s, i) => `${s} ${["X", "Pro ", "Mini "][i % 3]}${(i % 9) + 1}`.replace("  ", " ")),
      person: stems.map((s, i) => `${["Ana", "Bram", "Cato", "Dita", "Emil", "Fara", "Gus", "Hana"][i % 8]} ${s}`),
    },
    things:
      lang === "en"
        ? ["blue clay", "handmade paper", "pear wine", "copper bells", "bamboo baskets", "salted fish", "wool blankets", "tea cakes"]
        : [
            "tanah liat biru",
            "kertas buatan tangan",
            "anggur pir",
            "lonceng tembaga",
            "keranjang bambu",
            "ikan asin",
            "selimut wol",
            "kue teh",
          ],
    colors:
      lang === "en"
        ? ["red", "dark blue", "silver", "deep green", "off-white", "orange"]
        : ["merah", "biru tua", "perak", "hijau tua", "putih gading", "oranye"],
    jobs:
      lang === "en"
        ? ["a clockmaker", "a ship captain", "a potter", "an astronomer", "a baker", "a mapmaker"]
        : ["pembuat jam", "kapten kapal", "perajin tembikar", "astronom", "tukang roti", "pembuat peta"],
  };
}

const attributes: Record<Lang, Record<EntityType, Attribute[]>> = {
  en: {
    town: [
      {
        sentence: "{e} was founded in {v}.",
        train: ["When was {e} founded?", "In what year was {e} founded?", "What year was {e} founded in?", "{e} was founded when?"],
        heldOut: ["Do the sources say when {e} was founded?"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e} has about {v} residents.",
        train: [
          "How many people live in {e}?",
          "What is the population of {e}?",
          "How many residents does {e} have?",
          "{e} has how many residents?",
        ],
        heldOut: ["How large is the population of {e}?"],
        value: (_, s) => count(s),
      },
      {
        sentence: "{e} is known for its {v}.",
        train: ["What is {e} known for?", "What is {e} famous for?", "Why is {e} well known?", "{e} is known for what?"],
        heldOut: ["What made {e} famous?"],
        value: (p, s) => p.value(s, "things"),
      },
    ],
    product: [
      {
        sentence: "The {e} was released in {v}.",
        train: [
          "When was the {e} released?",
          "What year did the {e} come out?",
          "In which year was the {e} released?",
          "The {e} came out when?",
        ],
        heldOut: ["Do the sources say when the {e} was launched?"],
        value: (_, s) => year(s),
      },
      {
        sentence: "The {e} weighs {v} grams.",
        train: ["How much does the {e} weigh?", "What is the weight of the {e}?", "How heavy is the {e}?", "The {e} weighs how much?"],
        heldOut: ["What do the sources give as the {e}'s weight?"],
        value: (_, s) => String(50 + Math.floor(s.rnd() * 5000)),
      },
      {
        sentence: "The {e} comes in {v}.",
        train: ["What color is the {e}?", "Which color does the {e} come in?", "What colour is the {e}?", "The {e} comes in which color?"],
        heldOut: ["In what color is the {e} sold?"],
        value: (p, s) => p.value(s, "colors"),
      },
    ],
    person: [
      {
        sentence: "{e} was born in {v}.",
        train: ["When was {e} born?", "In what year was {e} born?", "What year was {e} born in?", "{e} was born when?"],
        heldOut: ["Do the sources say when {e} was born?"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e} works as {v}.",
        train: ["What does {e} do for a living?", "What is {e}'s job?", "What work does {e} do?", "{e} works as what?"],
        heldOut: ["What is the profession of {e}?"],
        value: (p, s) => p.value(s, "jobs"),
      },
      {
        sentence: "{e} lives in {v}.",
        train: ["Where does {e} live?", "In which town does {e} live?", "Where is {e}'s home?", "{e} lives where?"],
        heldOut: ["Which place is home to {e}?"],
        value: (p, s) => p.name(s, "town"),
      },
    ],
  },
  id: {
    town: [
      {
        sentence: "{e} didirikan pada tahun {v}.",
        train: ["Kapan {e} didirikan?", "Tahun berapa {e} didirikan?", "{e} didirikan tahun berapa?", "Pada tahun apa {e} didirikan?"],
        heldOut: ["Menurut sumber, kapan {e} berdiri?"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e} memiliki sekitar {v} penduduk.",
        train: ["Berapa jumlah penduduk {e}?", "Berapa orang tinggal di {e}?", "{e} punya berapa penduduk?", "Berapa populasi {e}?"],
        heldOut: ["Seberapa besar penduduk {e}?"],
        value: (_, s) => count(s),
      },
      {
        sentence: "{e} terkenal dengan {v}.",
        train: ["{e} terkenal dengan apa?", "Apa yang membuat {e} terkenal?", "Apa ciri khas {e}?", "Terkenal karena apa {e}?"],
        heldOut: ["Menurut sumber, apa keunggulan {e}?"],
        value: (p, s) => p.value(s, "things"),
      },
    ],
    product: [
      {
        sentence: "{e} dirilis pada tahun {v}.",
        train: ["Kapan {e} dirilis?", "Tahun berapa {e} dirilis?", "{e} keluar tahun berapa?", "Pada tahun apa {e} dirilis?"],
        heldOut: ["Menurut sumber, kapan {e} diluncurkan?"],
        value: (_, s) => year(s),
      },
      {
        sentence: "Berat {e} adalah {v} gram.",
        train: ["Berapa berat {e}?", "{e} beratnya berapa?", "Seberapa berat {e}?", "Berat {e} berapa gram?"],
        heldOut: ["Menurut sumber, berapa bobot {e}?"],
        value: (_, s) => String(50 + Math.floor(s.rnd() * 5000)),
      },
      {
        sentence: "{e} tersedia dalam warna {v}.",
        train: ["Apa warna {e}?", "{e} warnanya apa?", "Warna apa yang tersedia untuk {e}?", "{e} tersedia dalam warna apa?"],
        heldOut: ["Menurut sumber, {e} dijual dengan warna apa?"],
        value: (p, s) => p.value(s, "colors"),
      },
    ],
    person: [
      {
        sentence: "{e} lahir pada tahun {v}.",
        train: ["Kapan {e} lahir?", "Tahun berapa {e} lahir?", "{e} lahir tahun berapa?", "Pada tahun apa {e} lahir?"],
        heldOut: ["Menurut sumber, kapan {e} dilahirkan?"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e} bekerja sebagai {v}.",
        train: ["Apa pekerjaan {e}?", "{e} bekerja sebagai apa?", "Apa profesi {e}?", "Pekerjaan {e} apa?"],
        heldOut: ["Menurut sumber, {e} berprofesi sebagai apa?"],
        value: (p, s) => p.value(s, "jobs"),
      },
      {
        sentence: "{e} tinggal di {v}.",
        train: ["Di mana {e} tinggal?", "{e} tinggal di mana?", "Di kota mana {e} tinggal?", "Rumah {e} di mana?"],
        heldOut: ["Menurut sumber, {e} bermukim di mana?"],
        value: (p, s) => p.name(s, "town"),
      },
    ],
  },
  zh: {
    town: [
      {
        sentence: "{e}建于{v}年。",
        train: ["{e}是哪一年建立的？", "{e}建于哪一年？", "{e}是什么时候建的？", "请问{e}建于何年？"],
        heldOut: ["资料里说{e}是哪年建成的？"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e}约有{v}名居民。",
        train: ["{e}有多少居民？", "{e}的人口是多少？", "{e}住着多少人？", "请问{e}有多少人口？"],
        heldOut: ["资料里{e}的居民有多少？"],
        value: (_, s) => count(s),
      },
      {
        sentence: "{e}以{v}闻名。",
        train: ["{e}以什么闻名？", "{e}因什么出名？", "{e}有名的是什么？", "请问{e}以什么著称？"],
        heldOut: ["资料里说{e}的特产是什么？"],
        value: (p, s) => p.value(s, "things"),
      },
    ],
    product: [
      {
        sentence: "{e}于{v}年发布。",
        train: ["{e}是哪一年发布的？", "{e}什么时候发布？", "{e}发布于哪一年？", "请问{e}何时发布？"],
        heldOut: ["资料里说{e}是哪年推出的？"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e}重{v}克。",
        train: ["{e}有多重？", "{e}的重量是多少？", "{e}重多少克？", "请问{e}多重？"],
        heldOut: ["资料里{e}的重量是多少？"],
        value: (_, s) => String(50 + Math.floor(s.rnd() * 5000)),
      },
      {
        sentence: "{e}的颜色是{v}。",
        train: ["{e}是什么颜色？", "{e}的颜色是什么？", "{e}有什么颜色？", "请问{e}是什么颜色的？"],
        heldOut: ["资料里说{e}是哪种颜色？"],
        value: (p, s) => p.value(s, "colors"),
      },
    ],
    person: [
      {
        sentence: "{e}生于{v}年。",
        train: ["{e}是哪一年出生的？", "{e}生于哪一年？", "{e}什么时候出生？", "请问{e}哪年出生？"],
        heldOut: ["资料里说{e}是哪年生的？"],
        value: (_, s) => year(s),
      },
      {
        sentence: "{e}是一名{v}。",
        train: ["{e}是做什么的？", "{e}的职业是什么？", "{e}从事什么工作？", "请问{e}做什么工作？"],
        heldOut: ["资料里说{e}的身份是什么？"],
        value: (p, s) => p.value(s, "jobs"),
      },
      {
        sentence: "{e}住在{v}。",
        train: ["{e}住在哪里？", "{e}住在哪个镇？", "{e}的家在哪里？", "请问{e}住哪儿？"],
        heldOut: ["资料里说{e}家住何处？"],
        value: (p, s) => p.name(s, "town"),
      },
    ],
  },
};

const titles: Record<Lang, string> = { en: "About {e}", id: "Tentang {e}", zh: "{e}简介" };
/** Titles as uploaded documents have them: their file's name. */
const fileTitles: Record<Lang, Record<EntityType, string[]>> = {
  en: {
    town: ["towns.md", "travel-notes.txt", "region.pdf"],
    product: ["catalogue.pdf", "products.md"],
    person: ["people.md", "biographies.txt"],
  },
  id: {
    town: ["kota.md", "catatan-perjalanan.txt", "wilayah.pdf"],
    product: ["katalog.pdf", "produk.md"],
    person: ["tokoh.md", "biografi.txt"],
  },
  zh: { town: ["城镇.md", "游记.txt", "地方志.pdf"], product: ["产品目录.pdf", "产品.md"], person: ["人物.md", "人物小传.txt"] },
};
const notFound: Record<Lang, string> = { en: "The sources do not say.", id: "Sumber tidak menyebutkannya.", zh: "资料中没有提到。" };
const join = (lang: Lang, sentences: string[]) => sentences.join(lang === "zh" ? "" : " ");

/** A passage's answer: its sentence with the passage's [n] before the closing stop ("… in 1843 [2]."). */
export const citedAnswer = (sentence: string, n: number) =>
  sentence.endsWith("。") ? `${sentence.slice(0, -1)}[${n}]。` : `${sentence.replace(/\.$/, "")} [${n}].`;

/**
 * `count` questions per language, each over 2 to 4 made-up documents of one kind (the one asked about among
 * them, except for one in ten: then the answer says the sources do not say). One in four is asked only in a
 * held-out way; a third of them offer the calculator too, as a request with tools would. A share of the
 * documents is titled by a file's name, as uploads are, instead of "About <name>".
 */
export function addPassages(ds: Splits, lang: Lang, count: number, fileTitleShare = 0): void {
  const p = pools(lang);
  for (let i = 0; i < count; i++) {
    const type = ds.pick(["town", "product", "person"] as const);
    const k = 2 + Math.floor(ds.rnd() * 3);
    const names = new Set<string>();
    while (names.size < k + 1) names.add(p.name(ds, type));
    const [asked, ...inDocs] = [...names] as [string, ...string[]];
    const answerable = ds.rnd() >= 0.1;
    if (answerable) inDocs[Math.floor(ds.rnd() * k)] = asked;
    const attrs = attributes[lang][type];
    const docs = inDocs.map((e) => {
      const sentences = ds.shuffle(attrs.map((a) => fill(a.sentence, { e, v: a.value(p, ds) })));
      const title = fileTitleShare && ds.rnd() < fileTitleShare ? ds.pick(fileTitles[lang][type]) : fill(titles[lang], { e });
      return { e, title, sentences, page: ds.rnd() < 0.4 ? 1 + Math.floor(ds.rnd() * 30) : undefined };
    });
    const system = `${SOURCES_INSTRUCTION}\n\n${docs
      .map((d, n) => `[${n + 1}] ${d.title}${d.page ? `, page ${d.page}` : ""}:\n${join(lang, d.sentences)}`)
      .join("\n\n")}`;
    const a = ds.pick(attrs);
    const at = docs.findIndex((d) => d.e === asked);
    const answer =
      at < 0
        ? notFound[lang]
        : citedAnswer(docs[at]!.sentences.find((s) => s.startsWith(fill(a.sentence.split("{v}")[0]!, { e: asked })))!, at + 1);
    const extra: Partial<Example> = ds.rnd() < 1 / 3 ? { tools: [CALCULATOR] } : {};
    ds.add({
      lang,
      kind: "passage",
      train: a.train.map((t) => fill(t, { e: asked })),
      heldOut: a.heldOut.map((t) => fill(t, { e: asked })),
      make: () => ({ answer, system, ...extra }),
      ...(i % 4 === 0 ? { use: -1 } : { use: 1, heldOutUse: -1 }),
    });
  }
}

/** Headings of made-up uploaded documents, `{w}` a made-up place. */
const docTitles: Record<Lang, string[]> = {
  en: ["The {w} valley", "Notes on {w}", "{w} district", "Around {w}", "A {w} handbook", "{w} and its people"],
  id: ["Lembah {w}", "Catatan tentang {w}", "Wilayah {w}", "Sekitar {w}", "Buku pegangan {w}", "{w} dan warganya"],
  zh: ["{w}县志", "{w}地方志", "{w}手册", "{w}见闻", "{w}风物", "{w}人物志"],
};
const TYPES = ["town", "product", "person"] as const;

/** About the characters of a 384-token training window, prompt and answer, in these languages' scripts. */
const WINDOW_CHARS: Record<Lang, number> = { en: 880, id: 880, zh: 460 };

/**
 * `count` questions per language on documents as uploads reach a model: a chunk of one document holding 2 to 5
 * places, products and people of every kind (a line each, under the document's heading), cut to the sentences the
 * search kept (others' sentences dropped at random), and half the time another document's passage beside it; then
 * shortened (the other document first, then lines of entities not asked about) to a training window's length. The
 * answer is the asked entity's sentence with its passage's [n]; one in ten asks of an entity no passage holds.
 */
export function addDocuments(ds: Splits, lang: Lang, count: number): void {
  const p = pools(lang);
  const attrs = attributes[lang];
  const names = new Set<string>();
  const entity = () => {
    const type = ds.pick(TYPES);
    let e = p.name(ds, type);
    while (names.has(e)) e = p.name(ds, type);
    names.add(e);
    return { e, type };
  };
  const doc = (entities: Array<{ e: string; type: EntityType }>) => ({
    heading: fill(ds.pick(docTitles[lang]), { w: p.name(ds, "town").replace(/[镇村乡]$/, "") }),
    lines: entities.map(({ e, type }) => {
      const sentences = attrs[type].map((a) => ({ a, text: fill(a.sentence, { e, v: a.value(p, ds) }) }));
      return { e, sentences: ds.rnd() < 0.4 ? ds.shuffle(sentences) : sentences };
    }),
    page: ds.rnd() < 0.2 ? 1 + Math.floor(ds.rnd() * 30) : undefined,
  });
  for (let i = 0; i < count; i++) {
    names.clear();
    const k = 2 + Math.floor(ds.rnd() * 4);
    const entities = Array.from({ length: k }, entity);
    // Asked of one of them, or (one in ten) of an entity in no passage.
    const asked = ds.rnd() >= 0.1 ? ds.pick(entities) : entity();
    const a = ds.pick(attrs[asked.type]);
    const target = doc(entities);
    const others = ds.rnd() < 0.5 ? [] : [doc(Array.from({ length: 1 + Math.floor(ds.rnd() * 2) }, entity))];
    const at = Math.floor(ds.rnd() * (others.length + 1));
    const passage = (d: ReturnType<typeof doc>) => {
      // The search keeps the asked entity's sentences; of the others, those its budget leaves room for.
      const kept = d.lines.map((l) =>
        join(lang, l.e === asked.e ? l.sentences.map((s) => s.text) : l.sentences.filter(() => ds.rnd() < 0.7).map((s) => s.text)),
      );
      const body = kept.filter(Boolean).join(ds.rnd() < 0.75 ? "\n" : "\n\n");
      return ds.rnd() < 0.6 ? `# ${d.heading}\n${body}` : body;
    };
    const sources = () => {
      const docs = [...others];
      docs.splice(Math.min(at, others.length), 0, target);
      const n = docs.indexOf(target) + 1;
      const text = docs.map((d, j) => `[${j + 1}] ${d.heading}${d.page ? `, page ${d.page}` : ""}:\n${passage(d)}`).join("\n\n");
      return { n, system: `${SOURCES_INSTRUCTION}\n\n${text}` };
    };
    let { n, system } = sources();
    while (system.length > WINDOW_CHARS[lang]) {
      const spare = target.lines.findIndex((l) => l.e !== asked.e);
      if (others.length) others.pop();
      else if (spare >= 0 && target.lines.length > 1) target.lines.splice(spare, 1);
      else break;
      ({ n, system } = sources());
    }
    const line = target.lines.find((l) => l.e === asked.e);
    const answer = line ? citedAnswer(line.sentences.find((s) => s.a === a)!.text, n) : notFound[lang];
    ds.add({
      lang,
      kind: "document",
      train: a.train.map((t) => fill(t, { e: asked.e })),
      heldOut: a.heldOut.map((t) => fill(t, { e: asked.e })),
      make: () => ({ answer, system }),
      ...(i % 4 === 0 ? { use: -1 } : { use: 1, heldOutUse: -1 }),
    });
  }
}
