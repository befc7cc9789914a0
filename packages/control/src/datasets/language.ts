const HAN = /\p{Script=Han}/u;
// Words frequent in one of the two Latin-script languages benih serves and rare in the other.
const INDONESIAN = new Set(
  "yang dan apa berapa adalah di ini itu dari ke untuk dengan tidak ada kota ibu negara mata uang bahasa benua hasil tolong kalau saya kamu dikali ditambah dikurangi kurang tambah kali berapakah sebutkan dalam menjadi".split(
    " ",
  ),
);
const ENGLISH = new Set(
  "the what is of and to in which how many much capital currency language continent please you plus minus times are does do with from into convert".split(
    " ",
  ),
);

/** The language a text is written in, as far as its words tell: zh (any Han character), id, en, or other. */
export function languageOf(text: string): string {
  if (HAN.test(text)) return "zh";
  let id = 0;
  let en = 0;
  for (const word of text.toLowerCase().split(/[^\p{L}]+/u)) {
    if (INDONESIAN.has(word)) id++;
    if (ENGLISH.has(word)) en++;
  }
  return id > en ? "id" : en > id ? "en" : "other";
}
