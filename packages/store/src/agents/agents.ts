import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../database.ts";
import type { AgentsTable } from "./tables.ts";

export type AgentRow = Selectable<AgentsTable>;
export interface AgentFields {
  name: string;
  instructions: string;
  model: string | null;
  skills: string[];
  starters: string[];
  /** The skills are offered to the model as tools it calls itself. */
  toolUse: boolean;
}
export type StoredAgent = AgentFields & { id: string; created_at: number; updated_at: number };

const parse = (r: AgentRow): StoredAgent => ({
  id: r.id,
  created_at: r.created_at,
  updated_at: r.updated_at,
  name: r.name,
  instructions: r.instructions,
  model: r.model,
  skills: JSON.parse(r.skills) as string[],
  starters: JSON.parse(r.starters) as string[],
  toolUse: r.tool_use === 1,
});
const row = (a: Partial<AgentFields>) => ({
  ...(a.name !== undefined && { name: a.name }),
  ...(a.instructions !== undefined && { instructions: a.instructions }),
  ...(a.model !== undefined && { model: a.model }),
  ...(a.skills !== undefined && { skills: JSON.stringify(a.skills) }),
  ...(a.starters !== undefined && { starters: JSON.stringify(a.starters) }),
  ...(a.toolUse !== undefined && { tool_use: a.toolUse ? 1 : 0 }),
});

/** The agents users made, each visible to its owner only. */
export class AgentStore {
  constructor(private readonly db: Kysely<Database>) {}

  private owned(owner: string | null) {
    return this.db
      .selectFrom("agents")
      .selectAll()
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)));
  }

  async list(owner: string | null): Promise<StoredAgent[]> {
    return (await this.owned(owner).orderBy("created_at").execute()).map(parse);
  }

  async get(id: string, owner: string | null): Promise<StoredAgent | undefined> {
    const r = await this.owned(owner).where("id", "=", id).executeTakeFirst();
    return r && parse(r);
  }

  async create(owner: string | null, a: AgentFields, at = Date.now()): Promise<StoredAgent> {
    const id = `agent-${randomUUID()}`;
    await this.db
      .insertInto("agents")
      .values({
        id,
        owner,
        created_at: at,
        updated_at: at,
        name: a.name,
        instructions: a.instructions,
        model: a.model,
        skills: JSON.stringify(a.skills),
        starters: JSON.stringify(a.starters),
        tool_use: a.toolUse ? 1 : 0,
      })
      .execute();
    return { id, created_at: at, updated_at: at, ...a };
  }

  async update(id: string, owner: string | null, a: Partial<AgentFields>, at = Date.now()): Promise<StoredAgent | undefined> {
    await this.db
      .updateTable("agents")
      .set({ ...row(a), updated_at: at })
      .where("id", "=", id)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .execute();
    return this.get(id, owner);
  }

  async delete(id: string, owner: string | null): Promise<boolean> {
    const r = await this.db
      .deleteFrom("agents")
      .where("id", "=", id)
      .where((eb) => (owner === null ? eb("owner", "is", null) : eb("owner", "=", owner)))
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
