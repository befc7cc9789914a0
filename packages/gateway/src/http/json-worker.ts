import { parentPort } from "node:worker_threads";
import sjson from "secure-json-parse";
import { overBudget, type JsonShape } from "./json-budget.ts";

// A thread that parses large JSON bodies (see json-body.ts), so a 20 MB body or 600,000 tiny objects never hold
// up the server's event loop. Each message is { bytes, shape }; the answer { value } or
// { error: { status, message, code } }.
const decoder = new TextDecoder();

parentPort!.on("message", ({ bytes, shape }: { bytes: Uint8Array; shape: JsonShape }) => {
  let value: unknown;
  try {
    value = sjson.parse(decoder.decode(bytes), null, { protoAction: "error", constructorAction: "error" });
  } catch (err) {
    parentPort!.postMessage({
      error: { status: 400, message: `We could not parse the JSON body of your request: ${(err as Error).message}`, code: "invalid_json" },
    });
    return;
  }
  const over = overBudget(value, shape);
  parentPort!.postMessage(over ? { error: { status: 413, ...over } } : { value });
});
