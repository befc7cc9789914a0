export type { Accelerator, Cluster, Dataset, FleetNode, RunRequest } from "./fleet.ts";
export { acceleratorRefusal, acceleratorRuleFor, type AcceleratorRule, type PlacementRules } from "./rules.ts";
export { place, type Candidate, type PlacementDecision } from "./placement.ts";
export { commandRefusal, isFinished, transitionRefusal, type RunCommand, type RunState } from "./run-state.ts";
export { downsample, type Point } from "./downsample.ts";
export { ControlPlane, PlaneError, type AgentCommand, type PlaneOptions } from "./plane.ts";
export { registerControlRoutes, type ControlRoutesOptions } from "./http.ts";
export { RegionalAgent, type AgentOptions } from "./agent.ts";
