import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { messageMeta, SKILL_IDS, skillChoice, skillOptions } from "@benih/contracts";
import { skills } from "../src/skills/registry.ts";

describe("the built-in skills", () => {
  it("are the contract's skills, each checking its options with the contract's schema", () => {
    assert.deepEqual(skills.ids(), [...SKILL_IDS]);
    for (const id of SKILL_IDS)
      assert.equal(skills.get(id).options, skillOptions[id], `${id} takes its options as the contract declares them`);
  });

  it("say what a message must send: translate a target, write a known template", () => {
    assert.equal(skillChoice.safeParse({ skill: "translate", options: { target: "English" } }).success, true);
    const noTarget = skillChoice.safeParse({ skill: "translate", options: {} });
    assert.equal(noTarget.error?.issues[0]?.message, "translate needs options.target: the language to translate into");
    assert.equal(skillChoice.safeParse({ skill: "write", options: { template: "poem" } }).success, false);
    assert.equal(skillChoice.safeParse({ skill: "image", options: { size: "big" } }).success, false);
    assert.equal(skillChoice.safeParse({ skill: "sing" }).success, false);
  });

  it("read a stored message's meta, keeping what the contract does not name", () => {
    const meta = messageMeta.parse({
      skill: "search",
      citations: [{ n: 1, documentId: "d", title: "T", source: "t.md", page: null, excerpt: "x" }],
      usage: { tokens: 3 },
    });
    assert.deepEqual(meta.usage, { tokens: 3 });
    assert.equal(messageMeta.safeParse({ citations: [{ n: "one" }] }).success, false);
  });
});
