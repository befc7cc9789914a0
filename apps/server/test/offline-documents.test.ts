import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startServer } from "./harness.ts";
import { marketApi, type Market, type MarketApi } from "./market-api.ts";

// Document questions answered offline with the shipped models, as a person asks them: a document the models never
// saw (made-up places, products and people) uploaded to the knowledge base, and twenty questions on it in each
// market's language with the search chip. An answer is right when it holds the document's value and cites the
// document by its [n]: the model's own answer, or (for a model whose card says it does not answer from passages,
// as benih-tiny's does) the passages' sentences on the question, quoted.
const root = fileURLToPath(new URL("../../../", import.meta.url));
let server: Awaited<ReturnType<typeof startServer>>;
let api: MarketApi["api"];
let ask: MarketApi["ask"];
let start: MarketApi["start"];
let key: string;

before(async () => {
  server = await startServer({ env: { BENIH_MODELS_DIR: `${root}models` }, yaml: readFileSync(`${root}benih.yaml`, "utf8") });
  key = (await server.store.apiKeys.create("reader")).key;
  ({ api, ask, start } = marketApi(server.url));
});
after(async () => server?.close());

interface Doc {
  market: Market;
  name: string;
  text: string;
  /** Each question with the value its answer must hold. */
  questions: Array<[string, string]>;
}

const en: Doc = {
  market: "global",
  name: "harrow-valley.md",
  text: `# The Harrow valley

Brindlewick was founded in 1762. Brindlewick has about 48200 residents. Brindlewick is known for its glass beads.

Osterhaven was founded in 1905. Osterhaven has about 7300 residents. Osterhaven is known for its smoked cheese.

The Calloway Mini 4 was released in 2011. The Calloway Mini 4 weighs 340 grams. The Calloway Mini 4 comes in sea green.

Marta Quell was born in 1938. Marta Quell works as a violin maker. Marta Quell lives in Brindlewick.

Tobin Ashgrove was born in 1971. Tobin Ashgrove works as a lighthouse keeper. Tobin Ashgrove lives in Osterhaven.

The Fenwick Pro 2 was released in 1998. The Fenwick Pro 2 weighs 1250 grams. The Fenwick Pro 2 comes in charcoal.

Harlow Dene was founded in 1650. Harlow Dene has about 912 residents. Harlow Dene is known for its apple cider.
`,
  questions: [
    ["When was Brindlewick founded?", "1762"],
    ["How many people live in Brindlewick?", "48200"],
    ["What is Brindlewick known for?", "glass beads"],
    ["In what year was Osterhaven founded?", "1905"],
    ["What is the population of Osterhaven?", "7300"],
    ["What is Osterhaven famous for?", "smoked cheese"],
    ["When was the Calloway Mini 4 released?", "2011"],
    ["How much does the Calloway Mini 4 weigh?", "340"],
    ["What color is the Calloway Mini 4?", "sea green"],
    ["When was Marta Quell born?", "1938"],
    ["What does Marta Quell do for a living?", "violin maker"],
    ["Where does Marta Quell live?", "Brindlewick"],
    ["In what year was Tobin Ashgrove born?", "1971"],
    ["What is Tobin Ashgrove's job?", "lighthouse keeper"],
    ["Where does Tobin Ashgrove live?", "Osterhaven"],
    ["When was the Fenwick Pro 2 released?", "1998"],
    ["How heavy is the Fenwick Pro 2?", "1250"],
    ["What color is the Fenwick Pro 2?", "charcoal"],
    ["When was Harlow Dene founded?", "1650"],
    ["What is Harlow Dene known for?", "apple cider"],
  ],
};

const id: Doc = {
  market: "global",
  name: "lembah-harau.md",
  text: `# Lembah Harau

Sukaraya didirikan pada tahun 1788. Sukaraya memiliki sekitar 15400 penduduk. Sukaraya terkenal dengan gerabah hitam.

Tanjung Lirih didirikan pada tahun 1931. Tanjung Lirih memiliki sekitar 2600 penduduk. Tanjung Lirih terkenal dengan kopi jahe.

Kelana X7 dirilis pada tahun 2016. Berat Kelana X7 adalah 870 gram. Kelana X7 tersedia dalam warna kuning.

Rina Basuki lahir pada tahun 1954. Rina Basuki bekerja sebagai penjahit. Rina Basuki tinggal di Sukaraya.

Dodi Harjo lahir pada tahun 1983. Dodi Harjo bekerja sebagai nelayan. Dodi Harjo tinggal di Tanjung Lirih.

Merapi Pro 3 dirilis pada tahun 2004. Berat Merapi Pro 3 adalah 2100 gram. Merapi Pro 3 tersedia dalam warna abu-abu.

Batu Lawang didirikan pada tahun 1702. Batu Lawang memiliki sekitar 640 penduduk. Batu Lawang terkenal dengan madu hutan.
`,
  questions: [
    ["Kapan Sukaraya didirikan?", "1788"],
    ["Berapa jumlah penduduk Sukaraya?", "15400"],
    ["Sukaraya terkenal dengan apa?", "gerabah hitam"],
    ["Tahun berapa Tanjung Lirih didirikan?", "1931"],
    ["Berapa populasi Tanjung Lirih?", "2600"],
    ["Apa yang membuat Tanjung Lirih terkenal?", "kopi jahe"],
    ["Kapan Kelana X7 dirilis?", "2016"],
    ["Berapa berat Kelana X7?", "870"],
    ["Apa warna Kelana X7?", "kuning"],
    ["Kapan Rina Basuki lahir?", "1954"],
    ["Apa pekerjaan Rina Basuki?", "penjahit"],
    ["Di mana Rina Basuki tinggal?", "Sukaraya"],
    ["Tahun berapa Dodi Harjo lahir?", "1983"],
    ["Apa profesi Dodi Harjo?", "nelayan"],
    ["Di mana Dodi Harjo tinggal?", "Tanjung Lirih"],
    ["Kapan Merapi Pro 3 dirilis?", "2004"],
    ["Berapa berat Merapi Pro 3?", "2100"],
    ["Apa warna Merapi Pro 3?", "abu-abu"],
    ["Kapan Batu Lawang didirikan?", "1702"],
    ["Batu Lawang terkenal dengan apa?", "madu hutan"],
  ],
};

const zh: Doc = {
  market: "cn",
  name: "南山县志.md",
  text: `# 南山县志

柳溪镇建于1762年。柳溪镇约有48200名居民。柳溪镇以琉璃珠闻名。

白沙镇建于1905年。白沙镇约有7300名居民。白沙镇以熏奶酪闻名。

星河牌7于2011年发布。星河牌7重340克。星河牌7的颜色是浅绿色。

郭晓梅生于1938年。郭晓梅是一名提琴匠。郭晓梅住在柳溪镇。

马志远生于1971年。马志远是一名灯塔看守人。马志远住在白沙镇。

远航号2于1998年发布。远航号2重1250克。远航号2的颜色是炭灰色。

枫林镇建于1650年。枫林镇约有912名居民。枫林镇以苹果酒闻名。
`,
  questions: [
    ["柳溪镇是哪一年建立的？", "1762"],
    ["柳溪镇有多少居民？", "48200"],
    ["柳溪镇以什么闻名？", "琉璃珠"],
    ["白沙镇建于哪一年？", "1905"],
    ["白沙镇的人口是多少？", "7300"],
    ["白沙镇因什么出名？", "熏奶酪"],
    ["星河牌7是哪一年发布的？", "2011"],
    ["星河牌7有多重？", "340"],
    ["星河牌7是什么颜色？", "浅绿色"],
    ["郭晓梅是哪一年出生的？", "1938"],
    ["郭晓梅是做什么的？", "提琴匠"],
    ["郭晓梅住在哪里？", "柳溪镇"],
    ["马志远生于哪一年？", "1971"],
    ["马志远的职业是什么？", "灯塔看守人"],
    ["马志远住在哪里？", "白沙镇"],
    ["远航号2什么时候发布？", "1998"],
    ["远航号2的重量是多少？", "1250"],
    ["远航号2的颜色是什么？", "炭灰色"],
    ["枫林镇是哪一年建立的？", "1650"],
    ["枫林镇以什么闻名？", "苹果酒"],
  ],
};

describe("document questions answered offline with the shipped models", () => {
  for (const [lang, doc] of Object.entries({ zh, en, id })) {
    it(`answers at least 16 of 20 questions on a new document in ${lang}, citing it`, async (t) => {
      const up = await api(doc.market, key, "POST", `/v1/knowledge/documents?name=${encodeURIComponent(doc.name)}`, doc.text);
      assert.equal(up.status, 201, up.text);
      const wrong: string[] = [];
      const quoted = new Set<string>();
      for (const [question, value] of doc.questions) {
        const a = await ask(doc.market, key, await start(doc.market, key), { content: question, skill: "search" });
        assert.equal(a.done.status, "done", JSON.stringify(a.done));
        const notice = a.done.meta?.notice?.code;
        assert.ok(notice === undefined || notice === "extracted", `${question}: ${JSON.stringify(a.done.meta?.notice)}`);
        if (notice) quoted.add(question);
        const cited = (a.done.meta?.citations ?? []).filter((c: { documentId: string }) => c.documentId === up.json.id);
        const right = a.text.includes(value) && cited.some((c: { n: number }) => a.text.includes(`[${c.n}]`));
        if (!right) wrong.push(`${question} → ${a.text}`);
      }
      t.diagnostic(`${lang}: ${20 - wrong.length}/20 right with a citation (${20 - quoted.size} by the model, ${quoted.size} quoted)`);
      assert.ok(wrong.length <= 4, `${wrong.length} of 20 wrong:\n${wrong.join("\n")}`);
    });
  }
});
