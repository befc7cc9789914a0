// Reads one owner's vectors of one model out of a SQLite store's vec0 table and quantizes them (see
// vector-cache.ts), on its own read-only connection to the file, so that the server's event loop does not wait the
// seconds 100,000 vectors take. One worker serves every store of the process.
import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";
import { load } from "sqlite-vec";
import { quantizeInto, strideOf } from "./quantize.mjs";

const connections = new Map();

parentPort.on("message", ({ type, id, path, table, tag }) => {
  if (type === "close") {
    connections.get(path)?.close();
    connections.delete(path);
    return;
  }
  try {
    let db = connections.get(path);
    if (!db) {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma("busy_timeout = 5000");
      load(db);
      connections.set(path, db);
    }
    // The table's name is made by vectors.ts (kb_vec_<hex>_<dims>), never a caller's.
    const rows = db.prepare(`select chunk_id, embedding from "${table}" where owner_tag = ?`).raw().all(tag);
    const dims = rows.length ? rows[0][1].byteLength / 4 : 0;
    const stride = strideOf(dims);
    const ids = new Float64Array(rows.length);
    const codes = new Int8Array(rows.length * stride);
    const scales = new Float32Array(rows.length);
    rows.forEach(([chunkId, bytes], i) => {
      ids[i] = Number(chunkId);
      // A blob may start at an offset a Float32Array cannot view.
      const floats = new Float32Array(
        bytes.byteOffset % 4 ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + dims * 4) : bytes.buffer,
        bytes.byteOffset % 4 ? 0 : bytes.byteOffset,
        dims,
      );
      quantizeInto(floats, 1, dims, codes, i * stride, stride, scales, i);
    });
    parentPort.postMessage({ id, ids, dims, codes, scales }, [ids.buffer, codes.buffer, scales.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: err.message });
  }
});
