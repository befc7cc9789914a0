/** A GPU model ("H20", "H100", "H200", "B200", …) or "CPU" for nodes without accelerators. */
export type Accelerator = string;

export interface FleetNode {
  id: string;
  accelerator: Accelerator;
  /** Accelerators on the node (CPU nodes: 1). */
  count: number;
  /** How many are free now. */
  free: number;
}

/** Machines run by one operator in one region, served by one regional agent. */
export interface Cluster {
  id: string;
  region: string;
  operator: string;
  nodes: FleetNode[];
}

export interface Dataset {
  id: string;
  market: string;
  /** Where the dataset's bytes live. */
  region: string;
  flags: Array<"personal-information" | "important-data">;
  /** Recorded legal mechanisms that allow copying the data to another region (e.g. a security assessment). */
  transfers: Array<{ to: string; mechanism: string; from: string }>;
  /** What the agent trains on, in its region: a built-in dataset name or a folder there. Defaults to the id. */
  source?: string;
}

export interface RunRequest {
  dataset: Dataset;
  /** Accelerator model asked for; undefined: any the rules allow. */
  accelerator?: Accelerator;
  /** Accelerators needed on one node. */
  count: number;
}
