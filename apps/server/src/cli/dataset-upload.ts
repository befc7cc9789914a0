import { createReadStream, existsSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import type { DatasetReport } from "@benih/contracts";
import { authHeaders, callServer, serverURL, UsageError } from "./args.ts";
import type { Input } from "./command.ts";
import type { datasetUpload as spec } from "./commands.ts";

/** The report as read: what was kept where, the languages, and each broken line and duplicate named. */
export function reportText(r: DatasetReport): string {
  const languages = Object.entries(r.languages)
    .sort((a, b) => b[1] - a[1])
    .map(([l, n]) => `${l} ${n}`)
    .join(", ");
  return [
    r.accepted
      ? `${r.dataset} (${r.split}) is kept in ${r.region} for market ${r.market}`
      : `${r.region} refused ${r.dataset} (${r.split}): ${r.reason}`,
    `${r.bytes} bytes, ${r.lines} lines, ${r.examples} examples${languages ? ` (${languages})` : ""}`,
    ...(r.brokenCount ? [`${r.brokenCount} broken:`, ...r.broken.map((b) => `  line ${b.line}: ${b.problem}`)] : []),
    ...(r.brokenCount > r.broken.length ? [`  and ${r.brokenCount - r.broken.length} more`] : []),
    ...(r.duplicateCount
      ? [`${r.duplicateCount} duplicates:`, ...r.duplicates.map((d) => `  line ${d.line} repeats line ${d.sameAs}`)]
      : []),
  ].join("\n");
}

/** `benih dataset upload FILE --market cn --name NAME`: through the home plane to the market's region, which keeps it. */
export async function datasetUploadCommand({ values, positionals, env }: Input<typeof spec.options>): Promise<void> {
  const file = positionals[0];
  if (positionals.length !== 1 || !file) throw new UsageError("name one JSON-lines file to upload");
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  const query = new URLSearchParams({
    market: values.market!,
    name: values.name!,
    split: values.split ?? "train",
    ...(values.region && { region: values.region }),
  });
  const res = await callServer(`${serverURL(values.url, env)}/control/v1/datasets?${query}`, {
    method: "POST",
    headers: {
      ...authHeaders(values.key ?? env.BENIH_API_KEY),
      "content-type": "application/x-ndjson",
      "content-length": String(statSync(file).size),
    },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: "half",
  } as RequestInit);
  const json = (await res.json().catch(() => undefined)) as
    | DatasetReport
    | { error: { message: string; details?: DatasetReport } }
    | undefined;
  const report = json && ("error" in json ? json.error.details : json);
  if (report && "dataset" in report) {
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${reportText(report)}\n`);
    if (!res.ok) process.exitCode = 1; // the report says why
    return;
  }
  if (!res.ok) throw new Error(json && "error" in json ? json.error.message : `HTTP ${res.status}`);
}
