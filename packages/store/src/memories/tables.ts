export interface MemoriesTable {
  id: string;
  /** Whose memory it is, as conversations name their owner; null for the machine's owner without sign-in. */
  owner: string | null;
  content: string;
  created_at: number;
  updated_at: number;
  /** Where the person asked for it to be remembered; null when it was written in the settings. */
  source_conversation: string | null;
  source_message: string | null;
}

export interface MemorySettingsTable {
  /** The owner as memories name it, with "" for null (a primary key cannot be null). */
  owner: string;
  /** 0: memory is off for this person, nothing is used or saved. No row: on. */
  enabled: number;
  updated_at: number;
}

/** This domain's part of the store's `Database`. */
export interface MemoriesTables {
  memories: MemoriesTable;
  memory_settings: MemorySettingsTable;
}
