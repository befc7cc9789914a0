import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testBackends } from "@benih/store/testing";
import { sql } from "kysely";

for (const backend of await testBackends()) {
  describe(`conversations on ${backend.name}`, { skip: backend.skip }, () => {
    it("keeps branches as siblings, moves the leaf, and limits every query to the owner", async () => {
      const { store, dispose } = await backend.open();
      try {
        const c = store.conversations;
        const conv = await c.create({ owner: "key-a", title: "Capitals", model: "benih-tiny-global" }, 1000);
        const q1 = await c.addMessage(
          { conversation_id: conv.id, parent_id: null, role: "user", content: "Capital of Indonesia?", status: "done" },
          1001,
        );
        const a1 = await c.addMessage(
          { conversation_id: conv.id, parent_id: q1.id, role: "assistant", content: "", status: "streaming", model: "benih-tiny-global" },
          1002,
        );
        await c.updateMessage(a1.id, { content: "Jakar" }, 1003);
        await c.updateMessage(a1.id, { content: "Jakarta.", status: "done", meta: { usage: { outputTokens: 3 } } }, 1004);
        const a2 = await c.addMessage(
          { conversation_id: conv.id, parent_id: q1.id, role: "assistant", content: "Jakarta!", status: "done" },
          1005,
        ); // regenerated
        const all = await c.messages(conv.id);
        assert.deepEqual(
          all.map((m) => [m.seq, m.parent_id, m.content, m.status]),
          [
            [1, null, "Capital of Indonesia?", "done"],
            [2, q1.id, "Jakarta.", "done"],
            [3, q1.id, "Jakarta!", "done"],
          ],
        );
        assert.deepEqual(JSON.parse(all[1]!.meta), { usage: { outputTokens: 3 } });
        assert.equal((await c.get(conv.id, "key-a"))?.leaf, a2.id);
        assert.equal(await c.get(conv.id, "key-b"), undefined, "another key's conversation does not exist for it");
        assert.equal(await c.update(conv.id, "key-b", { title: "mine now" }), false);
        assert.equal(await c.delete(conv.id, "key-b"), false);
        assert.equal(await c.update(conv.id, "key-a", { title: "Ibu kota", leaf: a1.id }, 2000), true);
        const listed = await c.list("key-a");
        assert.deepEqual(
          listed.map((x) => [x.title, x.leaf, x.updated_at]),
          [["Ibu kota", a1.id, 2000]],
        );
        assert.deepEqual(await c.list("key-b"), []);
        assert.deepEqual(await c.list(null), [], "null (no keys) is an owner of its own");
        assert.equal(await c.delete(conv.id, "key-a"), true);
        assert.deepEqual(await c.messages(conv.id), []);
      } finally {
        await dispose();
      }
    });

    it("finds conversations by title or message text, case-insensitively, with LIKE's wildcards taken literally", async () => {
      const { store, dispose } = await backend.open();
      try {
        const c = store.conversations;
        const a = await c.create({ owner: null, title: "Trip to Bali", model: "m" }, 1);
        const b = await c.create({ owner: null, title: "Maths", model: "m" }, 2);
        await c.addMessage({ conversation_id: b.id, parent_id: null, role: "user", content: "What is 50% of 80?", status: "done" }, 3);
        const z = await c.create({ owner: null, title: "中文", model: "m" }, 4);
        await c.addMessage(
          { conversation_id: z.id, parent_id: null, role: "user", content: "印度尼西亚的首都是哪里？", status: "done" },
          5,
        );
        assert.deepEqual(
          (await c.search(null, "bali")).map((x) => x.id),
          [a.id],
        );
        assert.deepEqual(
          (await c.search(null, "50%")).map((x) => [x.id, x.match]),
          [[b.id, "What is 50% of 80?"]],
        );
        assert.deepEqual(await c.search(null, "5_%"), [], "_ is not a wildcard");
        assert.deepEqual(
          (await c.search(null, "首都")).map((x) => x.id),
          [z.id],
        );
        assert.deepEqual(await c.search("someone", "bali"), []);
      } finally {
        await dispose();
      }
    });

    it("marks answers cut off by a crash as interrupted, keeping their text", async () => {
      const { store, dispose } = await backend.open();
      try {
        const c = store.conversations;
        const conv = await c.create({ owner: null, title: "t", model: "m" });
        const q = await c.addMessage({ conversation_id: conv.id, parent_id: null, role: "user", content: "hi", status: "done" });
        const a = await c.addMessage({ conversation_id: conv.id, parent_id: q.id, role: "assistant", content: "Hel", status: "streaming" });
        assert.equal(await c.interruptStreaming(), 1);
        const [, answer] = await c.messages(conv.id);
        assert.deepEqual([answer!.id, answer!.content, answer!.status], [a.id, "Hel", "interrupted"]);
      } finally {
        await dispose();
      }
    });

    it("keeps a rating on an answer only, lists ratings newest first with their questions, and takes one back", async () => {
      const { store, dispose } = await backend.open();
      try {
        const c = store.conversations;
        const conv = await c.create({ owner: "key-a", title: "t", model: "m" });
        const q = await c.addMessage({
          conversation_id: conv.id,
          parent_id: null,
          role: "user",
          content: "Capital of Japan?",
          status: "done",
        });
        const a1 = await c.addMessage({
          conversation_id: conv.id,
          parent_id: q.id,
          role: "assistant",
          content: "Tokyo.",
          status: "done",
          model: "m",
        });
        const a2 = await c.addMessage({
          conversation_id: conv.id,
          parent_id: q.id,
          role: "assistant",
          content: "Kyoto.",
          status: "done",
          model: "m",
        });
        assert.equal((await c.messages(conv.id))[1]!.feedback, null, "unrated at first");
        assert.equal(await c.rate(conv.id, a1.id, "up", null, 10), true);
        assert.equal(await c.rate(conv.id, a2.id, "down", "Wrong city", 20), true);
        assert.equal(await c.rate(conv.id, q.id, "up", null, 30), false, "questions are not rated");
        assert.equal(await c.rate("conv-other", a1.id, "down", null, 30), false, "only within its conversation");
        assert.deepEqual(
          (await c.ratings()).map((r) => [r.message_id, r.rating, r.comment, r.rated_at, r.question, r.answer, r.model]),
          [
            [a2.id, "down", "Wrong city", 20, "Capital of Japan?", "Kyoto.", "m"],
            [a1.id, "up", null, 10, "Capital of Japan?", "Tokyo.", "m"],
          ],
        );
        assert.deepEqual(
          (await c.ratings({ rating: "up" })).map((r) => r.message_id),
          [a1.id],
        );
        assert.equal((await c.ratings({ limit: 1 })).length, 1);
        await c.rate(conv.id, a2.id, null, "ignored", 40);
        const [, , taken] = await c.messages(conv.id);
        assert.deepEqual([taken!.feedback, taken!.feedback_comment, taken!.feedback_at], [null, null, null]);
        assert.deepEqual(
          (await c.ratings()).map((r) => r.message_id),
          [a1.id],
        );
      } finally {
        await dispose();
      }
    });

    it("keeps a tool call's wait for its owner's decision: decided once, in time, by them only, taken when it ends", async () => {
      const { store, dispose } = await backend.open();
      try {
        const c = store.conversations;
        await c.waitForToolCall({ messageId: "msg-1", callId: "call-1", owner: "alice", expiresAt: 10_000 }, 1000);
        assert.equal(await c.toolCallDecision("msg-1", "call-1"), undefined, "undecided");
        assert.equal(await c.decideToolCall("msg-1", "call-1", "bob", true, 2000), false, "not bob's to decide");
        assert.equal(await c.decideToolCall("msg-1", "call-1", null, true, 2000), false, "nor the keyless owner's");
        assert.equal(await c.decideToolCall("msg-1", "call-2", "alice", true, 2000), false, "no such call waits");
        assert.equal(await c.decideToolCall("msg-1", "call-1", "alice", true, 10_000), false, "too late");
        assert.equal(await c.toolCallDecision("msg-1", "call-1"), undefined);
        assert.equal(await c.decideToolCall("msg-1", "call-1", "alice", false, 9999), true);
        assert.equal(await c.decideToolCall("msg-1", "call-1", "alice", true, 9999), false, "decided once");
        assert.equal(await c.toolCallDecision("msg-1", "call-1"), false, "declined, as first decided");
        assert.equal(await c.endToolCallWait("msg-1", "call-1"), false, "the decision is taken with the wait");
        assert.equal(await c.endToolCallWait("msg-1", "call-1"), undefined, "and is gone");
        assert.equal(await c.decideToolCall("msg-1", "call-1", "alice", true, 3000), false, "an ended wait takes none");

        // Without keys the owner is null, and only null decides.
        await c.waitForToolCall({ messageId: "msg-2", callId: "call-1", owner: null, expiresAt: 10_000 }, 1000);
        assert.equal(await c.decideToolCall("msg-2", "call-1", "alice", true, 2000), false);
        assert.equal(await c.decideToolCall("msg-2", "call-1", null, true, 2000), true);
        assert.equal(await c.toolCallDecision("msg-2", "call-1"), true);
        await c.waitForToolCall({ messageId: "msg-3", callId: "call-1", owner: null, expiresAt: 10_000 }, 1000);
        assert.equal(await c.endToolCallWait("msg-3", "call-1"), undefined, "ended undecided");

        // A wait its instance never ended (it went away) goes a minute past its time, when another wait starts.
        await c.waitForToolCall({ messageId: "msg-5", callId: "call-1", owner: null, expiresAt: 12_000 }, 1000);
        await c.waitForToolCall({ messageId: "msg-4", callId: "call-1", owner: null, expiresAt: 80_000 }, 71_000);
        const { rows } = await sql<{ message_id: string }>`select message_id from tool_call_waits order by message_id`.execute(store.db);
        assert.deepEqual(
          rows.map((r) => r.message_id),
          ["msg-4", "msg-5"],
          "msg-2 (10 s) was a minute past its time at 71 s, msg-5 (12 s) not yet",
        );
      } finally {
        await dispose();
      }
    });
  });
}
