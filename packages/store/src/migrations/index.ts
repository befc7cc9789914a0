import type { Migration, MigrationProvider } from "kysely/migration";
import * as m0001 from "./0001-request-log-and-keys.ts";
import * as m0002 from "./0002-markets.ts";
import * as m0003 from "./0003-training.ts";
import * as m0004 from "./0004-training-logs.ts";
import * as m0005 from "./0005-conversations.ts";
import * as m0006 from "./0006-knowledge.ts";
import * as m0007 from "./0007-agents.ts";
import * as m0008 from "./0008-images.ts";
import * as m0009 from "./0009-video-jobs.ts";
import * as m0010 from "./0010-key-hints.ts";
import * as m0011 from "./0011-training-clusters.ts";

// Listed in code rather than read from a folder, so they run the same under tsx, a bundle, or compiled output.
const migrations: Record<string, Migration> = {
  "0001-request-log-and-keys": m0001,
  "0002-markets": m0002,
  "0003-training": m0003,
  "0004-training-logs": m0004,
  "0005-conversations": m0005,
  "0006-knowledge": m0006,
  "0007-agents": m0007,
  "0008-images": m0008,
  "0009-video-jobs": m0009,
  "0010-key-hints": m0010,
  "0011-training-clusters": m0011,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
