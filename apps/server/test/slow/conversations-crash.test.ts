import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { startFakeOpenAI } from "@benih/fake-upstreams";
import { freePort } from "../ports.ts";
import { until } from "../until.ts";
import { askInNewConversation, shownText } from "../answer-stream.ts";

// kill -9 a real `benih serve` while an answer streams, start it again on the same data: the question and the
// answer so far are there, and the SQLite file is sound.
const bin = fileURLToPath(new URL("../../bin/benih.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "benih-crash-"));
const procs: ChildProcess[] = [];
after(() => {
  for (const p of procs) p.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("a crash while an answer streams", () => {
  it("loses at most about a second of the answer, and leaves the store sound", async () => {
    const story = "Once upon a time, far away, there lived a seed that wanted to grow into a tree. ".repeat(4);
    const upstream = await startFakeOpenAI({ models: [], chunkDelayMs: 100 }); // 3 characters every 100 ms
    try {
      const port = await freePort();
      const config = join(root, "benih.yaml");
      writeFileSync(
        config,
        `providers:\n  - { name: up, type: openai-compatible, baseURL: "${upstream.url}/v1", apiKey: sk-up, listModels: false }\nroutes:\n  - model: storyteller\n    targets: [{ provider: up, model: "say:${story}" }]\n`,
      );
      const env = {
        ...process.env,
        BENIH_DATA_DIR: join(root, "data"),
        BENIH_MODELS_DIR: join(root, "no-models"),
        PORT: String(port),
        LOG_LEVEL: "warn",
      };
      const serve = () => {
        const p = spawn(process.execPath, [bin, "serve", "--config", config], { env, stdio: "ignore" });
        procs.push(p);
        return p;
      };
      const url = `http://127.0.0.1:${port}`;
      let server = serve();
      await until("the server", async () => ((await fetch(`${url}/health`)).ok ? true : undefined));
      const { conversation, events: reader } = await askInNewConversation(url, "storyteller");
      let received = "";
      // About three seconds of answer reach the client, then the server dies mid-sentence.
      while (shownText(received).length < 90) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value;
      }
      const shown = shownText(received);
      assert.ok(shown.length >= 90 && shown.length < story.length, shown);
      server.kill("SIGKILL");
      await new Promise((r) => server.once("exit", r));
      await reader.cancel().catch(() => {});

      const db = new Database(join(root, "data", "benih.db"), { readonly: true });
      try {
        assert.deepEqual(db.pragma("integrity_check"), [{ integrity_check: "ok" }]);
        assert.deepEqual(db.pragma("foreign_key_check"), []);
      } finally {
        db.close();
      }

      server = serve();
      await until("the server again", async () => ((await fetch(`${url}/health`)).ok ? true : undefined));
      const view = (await (await fetch(`${url}/v1/conversations/${conversation}`)).json()) as {
        messages: Array<{ role: string; content: string; status: string }>;
        thread: string[];
      };
      assert.deepEqual(
        view.messages.map((m) => [m.role, m.status]),
        [
          ["user", "done"],
          ["assistant", "interrupted"],
        ],
      );
      assert.equal(view.messages[0]!.content, "Tell me a story");
      const kept = view.messages[1]!.content;
      assert.ok(story.startsWith(kept), kept);
      // The client had `shown`; the store was written at most a second before the kill (30 characters a second).
      assert.ok(kept.length >= shown.length - 45, `kept ${kept.length} of the ${shown.length} characters shown`);
      assert.equal(view.thread.length, 2);
    } finally {
      await upstream.close();
    }
  });
});
