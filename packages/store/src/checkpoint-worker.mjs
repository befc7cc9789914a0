// The WAL checkpointer of every SQLite store in this process (see checkpoints.ts): its own connection to each file,
// a PASSIVE checkpoint of each every 200 ms. PASSIVE never waits for, nor blocks, the server's own connection.
import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";

const files = new Map();

const checkpoint = (db) => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or gone: the next round tries again, and the server's own connection still checkpoints past its backstop.
  }
};

const timer = setInterval(() => {
  for (const { db } of files.values()) checkpoint(db);
}, 200);

parentPort.on("message", (m) => {
  if (m.type === "add") {
    const f = files.get(m.path) ?? { db: new Database(m.path, { fileMustExist: true }), refs: 0 };
    f.refs++;
    files.set(m.path, f);
  } else if (m.type === "remove") {
    const f = files.get(m.path);
    if (f && --f.refs === 0) {
      checkpoint(f.db);
      f.db.close();
      files.delete(m.path);
    }
  } else if (m.type === "stop") {
    clearInterval(timer);
    for (const { db } of files.values()) db.close();
    files.clear();
    parentPort.close();
  }
});
