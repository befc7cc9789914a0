import type { Migration, MigrationProvider } from "kysely/migration";
import { accountsMigrations } from "./accounts/migrations.ts";
import { agentsMigrations } from "./agents/migrations.ts";
import { auditMigrations } from "./audit/migrations.ts";
import { conversationsMigrations } from "./conversations/migrations.ts";
import { keysMigrations } from "./keys/migrations.ts";
import { knowledgeMigrations } from "./knowledge/migrations.ts";
import { leasesMigrations } from "./leases/migrations.ts";
import { mediaMigrations } from "./media/migrations.ts";
import { memoriesMigrations } from "./memories/migrations.ts";
import { requestLogMigrations } from "./request-log/migrations.ts";
import { trainingMigrations } from "./training/migrations.ts";

const byDomain = [
  keysMigrations,
  requestLogMigrations,
  auditMigrations,
  trainingMigrations,
  conversationsMigrations,
  knowledgeMigrations,
  agentsMigrations,
  mediaMigrations,
  accountsMigrations,
  leasesMigrations,
  memoriesMigrations,
];

/**
 * Every domain's migrations, in the order of their names (a new one takes the next number). The names are what
 * a database records as done, so a migration keeps its name when it moves. Listed in code rather than read from
 * a folder, so they run the same under tsx, a bundle, or compiled output.
 */
export function allMigrations(): Record<string, Migration> {
  const all = new Map<string, Migration>();
  for (const domain of byDomain) {
    for (const [name, m] of Object.entries(domain)) {
      if (all.has(name)) throw new Error(`two store migrations are named ${name}`);
      all.set(name, m);
    }
  }
  return Object.fromEntries([...all].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => allMigrations(),
};
