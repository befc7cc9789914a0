import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { focusOn } from "../src/knowledge/focus.ts";
import { extractedAnswer } from "../src/knowledge/sources.ts";

// A passage cut to fit a small model's context keeps what the question asks about, wherever it is in the passage.
const towns =
  "Velmora was founded in 1843. Velmora has about 23000 residents.\n\nKethara is known for its blue clay. Kethara was founded in 1910. Kethara has about 5100 residents.";

describe("cutting a passage to the question", () => {
  it("keeps the sentences that share the question's words, in their order, within the byte budget", () => {
    const cut = focusOn(towns, "When was Kethara founded?", 70);
    // "was founded" matches Velmora's founding too; the two are kept in the passage's order.
    assert.equal(cut, "Velmora was founded in 1843.\nKethara was founded in 1910.");
    assert.ok(Buffer.byteLength(cut) <= 70);
    // Cut from its start, the answer would be lost.
    assert.doesNotMatch(towns.slice(0, 70), /1910/);
  });

  it("joins Chinese sentences without spaces, and keeps a passage that fits as it is", () => {
    const zh = "岚溪镇建于1843年。岚溪镇约有23000名居民。墨川镇以梨子酒闻名。墨川镇建于1910年。";
    assert.equal(focusOn(zh, "墨川镇是哪一年建成的？", 60), "墨川镇以梨子酒闻名。墨川镇建于1910年。");
    assert.equal(focusOn(zh, "墨川镇是哪一年建成的？", 1000), zh);
  });

  it("keeps headings and list items (lines without a stop), and does not split 3.14 or e.g.", () => {
    const notes =
      "# Harrow notes\n\n- Capital: Brindlewick\n- Currency: the harrow mark\n\nPi is 3.14 there, e.g. on coins. The valley is green.";
    assert.equal(focusOn(notes, "What is the currency?", 30), "- Currency: the harrow mark");
    assert.equal(focusOn(notes, "What is pi on coins?", 40), "Pi is 3.14 there, e.g. on coins.");
  });

  it("cuts from the start when no single sentence fits", () => {
    const cut = focusOn("x".repeat(300), "x", 50);
    assert.ok(Buffer.byteLength(cut) <= 50);
    assert.match(cut, /^x+…$/);
  });
});

describe("an answer quoted without the model", () => {
  it("quotes each passage's sentences that share the question's words, or its start when none does", () => {
    const hit = {
      documentId: "d",
      title: "towns.md",
      source: "towns.md",
      page: null,
      score: 1,
      text: `${"Intro words here. ".repeat(30)}${towns}`,
    };
    const asked = extractedAnswer([hit], "When was Kethara founded?");
    assert.equal(
      asked.content,
      "> Velmora was founded in 1843.\n> Kethara is known for its blue clay. Kethara was founded in 1910. Kethara has about 5100 residents. [1]",
    );
    const summary = extractedAnswer([hit], "Summarise this");
    assert.match(summary.content, /^> Intro words here\. Intro words here\..*… \[1\]$/);
  });
});
