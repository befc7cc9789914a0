import type { Kysely } from "kysely";

// A cluster id belongs to the region whose agent registered it first: another region's token cannot take it
// over, also after the control plane restarts. Clusters that already took runs are claimed for the region of
// their earliest run's placement, so an upgrade does not open a window before their agents register again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("training_clusters")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("region", "text", (c) => c.notNull())
    .addColumn("registered_at", "bigint", (c) => c.notNull())
    .execute();
  const runs = await db.selectFrom("training_runs").select(["cluster", "placement", "created_at"]).where("cluster", "is not", null).orderBy("created_at").execute();
  const owners = new Map<string, { region: string; at: number }>();
  for (const r of runs as Array<{ cluster: string; placement: string; created_at: number | string }>) {
    if (owners.has(r.cluster)) continue;
    let placed: { cluster?: string; region?: string } | undefined;
    try {
      placed = (JSON.parse(r.placement) as { placed?: { cluster?: string; region?: string } }).placed;
    } catch {
      continue;
    }
    if (placed?.cluster === r.cluster && placed.region) owners.set(r.cluster, { region: placed.region, at: Number(r.created_at) });
  }
  for (const [id, o] of owners) await db.insertInto("training_clusters").values({ id, region: o.region, registered_at: o.at }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("training_clusters").execute();
}
