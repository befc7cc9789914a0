import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { Store } from "@benih/store";
import { createTestPgDatabase, openTestSqlite, testBackends } from "@benih/store/testing";
import { Int8Matrix, quantize } from "../src/knowledge/int8-scan.ts";
import { VectorCache } from "../src/knowledge/vector-cache.ts";

// Probed before the tests below keep the event loop busy for seconds (PostgreSQL's probe would time out).
const backends = await testBackends();

/** A seeded generator, so a failure can be run again as it was. */
function random(seed: number) {
  return () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    return ((seed >>> 0) % 1_000_000) / 1_000_000 - 0.5;
  };
}
const unitVector = (next: () => number, dims: number) => {
  const v = Float32Array.from({ length: dims }, next);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("int8 vector scan", () => {
  it("gives every dot product within 0.01 of float32's, for lengths not a multiple of 16 too", () => {
    for (const dims of [3, 100, 256, 1536]) {
      const next = random(dims);
      const vectors = Array.from({ length: 200 }, () => unitVector(next, dims));
      const m = new Int8Matrix(quantize(vectors.map((vector, chunkId) => ({ chunkId, vector }))));
      const q = unitVector(next, dims);
      const got = m.dots(q);
      for (const [i, v] of vectors.entries())
        assert.ok(Math.abs(got[i]! - dot(v, q)) < 0.01, `${dims} dims, vector ${i}: ${got[i]} vs ${dot(v, q)}`);
    }
    assert.deepEqual([...new Int8Matrix(quantize([])).dots(new Float32Array())], []);
  });

  it("ranks 20,000 random vectors as float32 does: recall@10 of at least 0.95", () => {
    const [n, dims] = [20_000, 256];
    const next = random(7);
    const vectors = Array.from({ length: n }, () => unitVector(next, dims));
    const m = new Int8Matrix(quantize(vectors.map((vector, chunkId) => ({ chunkId, vector }))));
    const top = (scores: ArrayLike<number>) =>
      Array.from({ length: n }, (_, i) => i)
        .sort((a, b) => scores[b]! - scores[a]!)
        .slice(0, 10);
    let found = 0;
    for (let q = 0; q < 20; q++) {
      const query = unitVector(next, dims);
      const exact = new Set(top(vectors.map((v) => dot(v, query))));
      found += top(m.dots(query)).filter((i) => exact.has(i)).length;
    }
    assert.ok(found / 200 >= 0.95, `recall@10 ${found / 200}`);
  });
});

describe("in-process vector copies", () => {
  it("load once for searches that miss together, and again only when the owner's vectors change", async () => {
    const { store, dispose } = await openTestSqlite();
    try {
      let loads = 0;
      const rows = [{ chunkId: 1, vector: Float32Array.of(1, 0, 0) }];
      const cache = new VectorCache(store.db, async () => {
        loads++;
        await new Promise((r) => setImmediate(r));
        return quantize(rows);
      });
      const near = () => cache.nearest("m", ["alice"], Float32Array.of(1, 0, 0), 5);
      const all = await Promise.all([near(), near(), near()]);
      assert.equal(loads, 1);
      assert.deepEqual(
        all.map((found) => found.map((n) => [n.chunkId, n.similarity.toFixed(3)])),
        Array(3).fill([[1, "1.000"]]),
      );
      await near();
      assert.equal(loads, 1, "unchanged: the copy is used");
      await store.db.insertInto("kb_vector_versions").values({ model: "m", owner_tag: "alice", version: 1 }).execute();
      rows.push({ chunkId: 2, vector: Float32Array.of(0.8, 0.6, 0) });
      assert.deepEqual(
        (await near()).map((n) => n.chunkId),
        [1, 2],
      );
      assert.equal(loads, 2);
    } finally {
      await dispose();
    }
  });
});

// Two instances on one database: what one stores, or deletes, the other's next search sees.
for (const backend of backends) {
  describe(`vector search across two stores on ${backend.name}`, { skip: backend.skip }, () => {
    let a: Store;
    let b: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      if (backend.name === "sqlite") {
        const dir = mkdtempSync(join(tmpdir(), "benih-vectors-"));
        const target = join(dir, "benih.db");
        a = await Store.open({ dialect: "sqlite", target });
        b = await Store.open({ dialect: "sqlite", target });
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const db = await createTestPgDatabase();
        a = await Store.open({ dialect: "postgres", target: db.url });
        b = await Store.open({ dialect: "postgres", target: db.url });
        cleanup = db.drop;
      }
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await cleanup?.();
    });

    /** Adds a one-passage document through `store` with the vector given; its id and its passage's id. */
    async function add(store: Store, text: string, vector: number[], owner = "alice") {
      const doc = await store.knowledge.add({ owner, title: text, source: `${text}.txt`, mime: "text/plain", bytes: text.length }, [
        { page: null, text, terms: text },
      ]);
      const [p] = await store.knowledge.passagesFrom(doc.id, 0, 1);
      await store.knowledge.addVectors("m", [
        { documentId: doc.id, from: 0, vectors: [{ chunkId: p!.id, ownerTag: p!.ownerTag, vector: Float32Array.from(vector) }] },
      ]);
      return doc.id;
    }
    const byMeaning = (store: Store, vector: number[]) =>
      store.knowledge.search("alice", [], 5, undefined, { vector: { model: "m", values: Float32Array.from(vector) } });
    /** The vectors stored for these passages, counted in the tables themselves. */
    async function storedVectors(store: Store, chunkIds: number[]): Promise<number> {
      if (backend.name === "postgres")
        return Number(
          (
            await store.db
              .selectFrom("kb_vectors")
              .select((e) => e.fn.countAll().as("n"))
              .where("chunk_id", "in", chunkIds)
              .executeTakeFirst()
          )?.n,
        );
      const tables = await sql<{ name: string }>`select name from sqlite_master where name like 'kb_vec_%' and sql like '%vec0%'`.execute(
        store.db,
      );
      let n = 0;
      for (const t of tables.rows)
        n += Number(
          (
            await sql<{ n: number }>`select count(*) as n from ${sql.id(t.name)} where chunk_id in (${sql.join(chunkIds)})`.execute(
              store.db,
            )
          ).rows[0]!.n,
        );
      return n;
    }
    const chunksOf = async (store: Store, documentId: string) => (await store.knowledge.passagesFrom(documentId, 0, 100)).map((p) => p.id);

    it("finds on one what the other stored after the first had searched", async () => {
      const north = await add(a, "north", [0, 1, 0]);
      assert.deepEqual(
        (await byMeaning(a, [0, 1, 0])).map((h) => h.documentId),
        [north],
      );
      const east = await add(b, "east", [1, 0, 0]);
      assert.deepEqual(
        (await byMeaning(a, [1, 0, 0])).map((h) => h.documentId),
        [east],
      );
    });

    it("forgets a deleted document's vectors, on both", async () => {
      const west = await add(a, "west", [-1, 0, 0]);
      assert.deepEqual(
        (await byMeaning(b, [-1, 0, 0])).map((h) => h.documentId),
        [west],
      );
      const chunks = await chunksOf(a, west);
      assert.equal(await storedVectors(a, chunks), 1);
      assert.equal(await b.knowledge.delete(west, "alice"), true);
      assert.equal(await storedVectors(a, chunks), 0);
      assert.ok((await byMeaning(a, [-1, 0, 0])).every((h) => h.documentId !== west));
    });

    it("never gives one person another's passage, even one added under a deleted passage's id (a store from before 0021)", async () => {
      const kept = await add(a, "south", [0, -1, 0]);
      const gone = await add(a, "down", [0, 0, -1]);
      // As in a store migrated to 0021: no versions yet, every copy loaded at version 0.
      await a.db.deleteFrom("kb_vector_versions").execute();
      assert.deepEqual(
        (await byMeaning(a, [0, 0, -1])).map((h) => h.documentId),
        [gone],
      );
      assert.equal(await a.knowledge.delete(gone, "alice"), true);
      // SQLite gives the deleted passage's id to the next passage added: bob's, here, near the same direction.
      const bobs = await add(b, "bob's", [0.1, 0, -1], "bob");
      const seen = (await byMeaning(a, [0, 0, -1])).map((h) => h.documentId);
      assert.ok(!seen.includes(bobs) && !seen.includes(gone), `alice sees ${seen}`);
      assert.deepEqual(
        (await byMeaning(a, [0, -1, 0])).map((h) => h.documentId),
        [kept],
      );
      assert.deepEqual(
        (await b.knowledge.search("bob", [], 5, undefined, { vector: { model: "m", values: Float32Array.of(0, 0, -1) } })).map(
          (h) => h.documentId,
        ),
        [bobs],
      );
    });
  });
}
