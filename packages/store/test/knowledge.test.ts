import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SHARED } from "@benih/store";
import { testBackends } from "@benih/store/testing";

// Terms arrive already split into words (the assistant segments Chinese); here they are written out by hand.
const chunk = (text: string, terms: string, page: number | null = null) => ({ text, terms, page });

for (const backend of await testBackends()) {
  describe(`knowledge base on ${backend.name}`, { skip: backend.skip }, () => {
    it("ranks passages by full text, limited to the owner's and the shared documents; deleting removes them from search", async () => {
      const { store, dispose } = await backend.open();
      try {
        const kb = store.knowledge;
        const komodo = await kb.add(
          { owner: "alice", title: "Komodo", source: "komodo.pdf", mime: "application/pdf", bytes: 10, pages: 2 },
          [
            chunk("The Komodo dragon lives on five islands.", "the komodo dragon lives on five islands", 1),
            chunk("Its bite is venomous.", "its bite is venomous", 2),
          ],
        );
        await kb.add({ owner: "bob", title: "Bob's", source: "bob.txt", mime: "text/plain", bytes: 5 }, [
          chunk("Dragons of Komodo, Komodo, Komodo.", "dragons of komodo komodo komodo"),
        ]);
        await kb.add({ owner: SHARED, title: "Capitals", source: "capitals.md", mime: "text/markdown", bytes: 5 }, [
          chunk("印度尼西亚的首都是雅加达。", "印度 尼西亚 的 首都 是 雅加达"),
        ]);
        const hits = await kb.search("alice", ["komodo", "islands"]);
        assert.deepEqual(
          hits.map((h) => [h.title, h.page, h.text]),
          [["Komodo", 1, "The Komodo dragon lives on five islands."]],
          "bob's document is not alice's to search",
        );
        assert.ok(hits[0]!.score > 0);
        assert.deepEqual(
          (await kb.search("alice", ["首都"])).map((h) => h.source),
          ["capitals.md"],
          "shared documents are everyone's",
        );
        assert.deepEqual(await kb.search("alice", ['"', "*", "or"]), [], "query syntax is not passed through");
        assert.deepEqual(
          (await kb.search("alice", ["venomous", "bite"])).map((h) => h.page),
          [2],
        );
        assert.deepEqual((await kb.list("alice")).map((d) => d.source).sort(), ["capitals.md", "komodo.pdf"]);
        // Within given documents (a message's attachments): only those, and their opening when nothing matches.
        assert.deepEqual((await kb.search("alice", ["komodo", "venomous"], 5, [komodo.id])).map((h) => h.page).sort(), [1, 2]);
        const bobs = (await kb.list("bob")).find((d) => d.source === "bob.txt")!;
        assert.deepEqual(await kb.search("alice", ["komodo"], 5, [bobs.id]), [], "another owner's document stays out, even when named");
        assert.deepEqual(
          (await kb.opening("alice", [komodo.id], 1)).map((h) => h.text),
          ["The Komodo dragon lives on five islands."],
        );
        assert.equal(await kb.delete(komodo.id, "bob"), false);
        assert.equal(await kb.delete(komodo.id, "alice"), true);
        assert.deepEqual(await kb.search("alice", ["komodo"]), []);
      } finally {
        await dispose();
      }
    });

    it("finds an owner's passage even when another owner's better matches fill the top of the index", async () => {
      const { store, dispose } = await backend.open();
      try {
        const kb = store.knowledge;
        const bobs = Array.from({ length: 60 }, (_, i) => chunk(`Komodo komodo komodo ${i}`, `komodo komodo komodo n${i}`));
        await kb.add({ owner: "bob", title: "Bob's", source: "bob.txt", mime: "text/plain", bytes: 5 }, bobs);
        await kb.add({ owner: "alice", title: "Alice's", source: "alice.txt", mime: "text/plain", bytes: 5 }, [
          chunk(
            "A long passage that mentions komodo once among many other words here.",
            "a long passage that mentions komodo once among many other words here",
          ),
        ]);
        assert.deepEqual(
          (await kb.search("alice", ["komodo"])).map((h) => h.source),
          ["alice.txt"],
        );
        assert.equal((await kb.search("bob", ["komodo"], 5)).length, 5);
      } finally {
        await dispose();
      }
    });
  });
}
