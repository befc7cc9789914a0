import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { BufferedRequestLogWriter, type RequestLogEntry } from "@benih/store";
import { testBackends } from "@benih/store/testing";

const entry = (id: string, extra: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  id,
  created_at: Date.now(),
  api_key_id: null,
  person_id: null,
  endpoint: "/v1/chat/completions",
  model: "m",
  target: "openai/gpt-4o-mini",
  attempts: 2,
  status: 200,
  error_code: null,
  error_message: null,
  stream: 1,
  input_tokens: 12,
  output_tokens: 34,
  ttft_ms: 5.5,
  total_ms: 20.25,
  cost_usd: 0.000123,
  attempt_log: JSON.stringify([{ target: "a/b", outcome: "error", status: 500, ms: 3 }]),
  ...extra,
});

for (const backend of await testBackends()) {
  describe(`store on ${backend.name}`, { skip: backend.skip }, () => {
    it("creates keys hashed, verifies them, lists and revokes them", async () => {
      const { store, dispose } = await backend.open();
      try {
        const created = await store.apiKeys.create("ci", "user");
        assert.match(created.key, /^bk-[A-Za-z0-9_-]{32}$/);
        const raw = await store.db.selectFrom("api_keys").select(["hash", "prefix"]).executeTakeFirstOrThrow();
        assert.notEqual(raw.hash, created.key, "the key itself is never stored");
        assert.ok(!raw.hash.includes(created.key.slice(3)));
        assert.equal(raw.prefix, `bk-…${created.key.slice(-4)}`, "listed by the fixed prefix and the last four, nothing from the start");

        assert.equal((await store.apiKeys.verify(created.key))?.id, created.id);
        assert.equal(await store.apiKeys.verify(`${created.key}x`), undefined);
        assert.equal(await store.apiKeys.countLive(), 1);

        assert.equal(await store.apiKeys.revoke(created.prefix), 1);
        assert.equal(await store.apiKeys.verify(created.key), undefined);
        assert.equal(await store.apiKeys.countLive(), 0);
        assert.equal(typeof (await store.apiKeys.list())[0]!.revoked_at, "number");

        const admin = await store.apiKeys.ensure("an-admin-secret", "env", "admin");
        assert.equal(admin.prefix, "…", "a short key from outside shows none of itself");
        await store.apiKeys.ensure("another-secret", "env2", "admin");
        await assert.rejects(store.apiKeys.revoke("…"), /2 live keys show as "…"; revoke one by its id/);
        assert.equal(await store.apiKeys.countLive(), 2, "an ambiguous hint revokes nothing");
        assert.equal((await store.apiKeys.ensure("an-admin-secret", "env", "admin")).id, admin.id);
        assert.equal((await store.apiKeys.verify("an-admin-secret"))?.role, "admin");
      } finally {
        await dispose();
      }
    });

    it("writes request log entries in batches and reads them back with their numbers intact", async () => {
      const { store, dispose } = await backend.open();
      try {
        const errors: unknown[] = [];
        const writer = new BufferedRequestLogWriter(store.requestLog, (e) => errors.push(e), 50);
        for (let i = 0; i < 450; i++) writer.write(entry(`req_${i}`, { created_at: 1_700_000_000_000 + i }));
        await writer.flush();
        assert.deepEqual(errors, []);
        const row = await store.requestLog.get("req_7");
        assert.ok(row);
        assert.equal(row.created_at, 1_700_000_000_007);
        assert.equal(row.input_tokens, 12);
        assert.equal(row.ttft_ms, 5.5);
        assert.equal(row.cost_usd, 0.000123);
        assert.deepEqual(JSON.parse(row.attempt_log), [{ target: "a/b", outcome: "error", status: 500, ms: 3 }]);
        const recent = await store.requestLog.recent(3);
        assert.deepEqual(
          recent.map((r) => r.id),
          ["req_449", "req_448", "req_447"],
        );
      } finally {
        await dispose();
      }
    });

    it("keeps its data across a reopen and migrates idempotently", async () => {
      const { store, dispose } = await backend.open();
      try {
        const { Store } = await import("@benih/store");
        await store.apiKeys.create("kept");
        const again = await Store.open(store.location);
        assert.equal((await again.apiKeys.list())[0]?.name, "kept");
        await again.close();
      } finally {
        await dispose();
      }
    });

    it("records every domain's migrations under the names existing databases know, so none runs twice", async () => {
      const { store, dispose } = await backend.open();
      try {
        const { rows } = await sql<{ name: string }>`select name from benih_migrations order by name`.execute(store.db);
        assert.deepEqual(
          rows.map((r) => r.name),
          [
            "0001-request-log-and-keys",
            "0002-markets",
            "0003-training",
            "0004-training-logs",
            "0005-conversations",
            "0006-knowledge",
            "0007-agents",
            "0008-images",
            "0009-video-jobs",
            "0010-key-hints",
            "0011-training-clusters",
            "0012-message-feedback",
            "0013-accounts",
            "0014-video-job-leases",
            "0015-leases",
            "0016-training-agents",
            "0017-answer-stops",
            "0018-training-commands-order",
            "0019-memories",
            "0020-knowledge-vectors",
            "0021-sqlite-vector-versions",
            "0022-knowledge-embedding-paused",
            "0023-tool-call-waits",
            "0024-training-run-notes",
            "0025-model-promotions",
            "0026-uploaded-datasets",
          ],
        );
      } finally {
        await dispose();
      }
    });
  });
}
