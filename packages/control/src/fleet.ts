import type { Dataset } from "@benih/contracts";

/** A GPU model ("H20", "H100", "H200", "B200", …) or "CPU" for nodes without accelerators. */
export type Accelerator = string;

export type { Cluster, Dataset, FleetNode } from "@benih/contracts";

export interface RunRequest {
  dataset: Dataset;
  /** Accelerator model asked for; undefined: any the rules allow. */
  accelerator?: Accelerator;
  /** Accelerators needed on one node. */
  count: number;
}
