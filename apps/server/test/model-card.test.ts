import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseConfig } from "../src/config/load.ts";
import { cardFacts, parseModelCard } from "../src/model-card.ts";
import { buildProviders } from "../src/providers.ts";

// A local model's card (models/<id>.md) tells clients its languages and example questions, in YAML front matter.
describe("model cards", () => {
  it("reads the languages and examples (grouped by language) of a card's front matter; a card without one says nothing", () => {
    const card = parseModelCard(
      "---\nlanguage: [en, id]\nexamples:\n  - { language: en, text: Capital of Japan?, answer: Tokyo }\n  - { language: id, text: Apa ibu kota Jepang?, answer: Tokyo }\n---\n# tiny\n",
    );
    assert.deepEqual(cardFacts(card!), { languages: ["en", "id"], examples: { en: ["Capital of Japan?"], id: ["Apa ibu kota Jepang?"] } });
    assert.equal(parseModelCard("# tiny\n\nNo front matter."), undefined);
    // A model answers from passages unless its card says it does not.
    assert.equal(card!.followsInstructions, true);
    assert.equal(parseModelCard("---\nlanguage: [en]\nfollowsInstructions: false\n---\n")!.followsInstructions, false);
    assert.throws(() => parseModelCard("---\nlanguage: [en]\nfollowsInstructions: sometimes\n---\n"), /followsInstructions/);
    // One trained on the search skill's prompt may answer from passages and follow no other instructions.
    const sourced = parseModelCard("---\nlanguage: [en]\nfollowsInstructions: false\nanswersFromSources: true\n---\n")!;
    assert.deepEqual([sourced.followsInstructions, sourced.answersFromSources], [false, true]);
  });

  it("says what is wrong with a broken card", () => {
    assert.throws(() => parseModelCard("---\nlanguage: english\n---\n"), /^Error: language: /);
    assert.throws(
      () => parseModelCard("---\nlanguage: [en]\nexamples:\n  - { language: zh, text: 你好, answer: 你好 }\n---\n"),
      /in zh, which language does not list/,
    );
    assert.throws(() => parseModelCard("---\nlanguage: [en]\nexamples: [{ text: Hi }]\n---\n"), /examples\.0\.language/);
  });

  it("serves a model whose card is broken, without the card's facts, and warns about it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "benih-cards-"));
    try {
      const models = fileURLToPath(new URL("../../../models/", import.meta.url));
      copyFileSync(join(models, "benih-tiny-base.gguf"), join(dir, "tiny.gguf"));
      writeFileSync(join(dir, "tiny.md"), "---\nlanguage: [en\n---\n");
      const set = buildProviders(parseConfig("", "test.yaml", {}), { BENIH_MODELS_DIR: dir }, dir);
      assert.match(set.warnings.join("\n"), /^the model card of tiny is not read: /);
      const [listed] = await set.providers.get("local")!.listModels!();
      assert.deepEqual(listed, { id: "tiny", ownedBy: "local:tiny.gguf", contextLength: 512 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
