export interface AgentsTable {
  id: string;
  owner: string | null;
  created_at: number;
  updated_at: number;
  name: string;
  instructions: string;
  /** null: the market's default chat model. */
  model: string | null;
  /** JSON: skill names. */
  skills: string;
  /** JSON: suggested first prompts. */
  starters: string;
  /** 1: the skills are offered to the model as tools. */
  tool_use: number;
}

/** This domain's part of the store's `Database`. */
export interface AgentsTables {
  agents: AgentsTable;
}
