import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { place, type Cluster, type Dataset, type PlacementRules } from "@benih/control";
import type { PlacementDecision } from "@benih/contracts";

/** Why a decision refused a cluster (the group naming it), or [] when it did not. */
const reasonsOf = (d: PlacementDecision, cluster: string) => d.refused.find((g) => g.clusters.includes(cluster))?.reasons ?? [];

// The fleet of the issue: H20s in China, B200s in a leased Malaysian data centre, CPUs in Singapore, H100s in the US.
const clusters: Cluster[] = [
  {
    id: "bj-1",
    region: "cn-north",
    operator: "home",
    nodes: [
      { id: "h20-a", accelerator: "H20", count: 8, free: 8 },
      { id: "h20-b", accelerator: "H20", count: 8, free: 2 },
    ],
  },
  { id: "johor-1", region: "my-johor", operator: "leased", nodes: [{ id: "b200-a", accelerator: "B200", count: 8, free: 8 }] },
  { id: "sg-1", region: "sg", operator: "cloud", nodes: [{ id: "cpu-a", accelerator: "CPU", count: 1, free: 1 }] },
  { id: "use-1", region: "us-east", operator: "cloud", nodes: [{ id: "h100-a", accelerator: "H100", count: 8, free: 4 }] },
];

const rules: PlacementRules = {
  accelerators: [
    { regions: ["cn-north"], allow: ["H20", "H800", "A800"], effective: "2022-10-07", source: "US export controls, 2022-10-07" },
    { regions: ["cn-north"], allow: ["H20"], effective: "2023-10-17", source: "US export controls, 2023-10-17" },
    { regions: ["my-johor", "sg", "us-east"], deny: ["H20"], effective: "2023-01-01", source: "fleet policy: H20s stay in China" },
  ],
  preference: ["cn-north", "my-johor", "sg", "us-east"],
};

const cnChat: Dataset = { id: "cn-chat", market: "cn", region: "cn-north", flags: ["personal-information"], transfers: [] };
const globalChat: Dataset = {
  id: "global-chat",
  market: "global",
  region: "sg",
  flags: [],
  transfers: [{ to: "my-johor", mechanism: "intra-group data transfer agreement", from: "2025-01-01" }],
};
const at = new Date("2026-11-26T00:00:00Z");

describe("placement", () => {
  it("keeps a cn dataset in cn-north and says why every other cluster was refused", () => {
    const d = place({ dataset: cnChat, count: 4 }, clusters, rules, at);
    assert.deepEqual(d.placed, { cluster: "bj-1", region: "cn-north", node: "h20-a", accelerator: "H20" });
    assert.deepEqual(reasonsOf(d, "johor-1"), [
      "dataset cn-chat (personal-information) must stay in cn-north: no transfer mechanism to my-johor is recorded",
    ]);
    assert.match(d.summary, /^placed on bj-1\/h20-a \(4 × H20\) in cn-north$/);
  });

  it("refuses a rule-breaking request (H100 for a cn-north run) with the rule and its date", () => {
    const d = place({ dataset: cnChat, accelerator: "H100", count: 1 }, clusters, rules, at);
    assert.equal(d.placed, undefined);
    assert.deepEqual(reasonsOf(d, "bj-1"), [
      "H100 is not allowed in cn-north since 2023-10-17 (US export controls, 2023-10-17); allowed there: H20",
    ]);
    assert.match(d.summary, /refused bj-1: H100 is not allowed in cn-north .*\. refused johor-1: dataset cn-chat/);
  });

  it("applies the rule in force on the day: H800s were allowed in cn-north before 2023-10-17", () => {
    const fleet = [{ ...clusters[0]!, nodes: [{ id: "h800-a", accelerator: "H800", count: 8, free: 8 }] }];
    assert.equal(place({ dataset: cnChat, accelerator: "H800", count: 8 }, fleet, rules, new Date("2023-06-01")).placed?.node, "h800-a");
    assert.equal(place({ dataset: cnChat, accelerator: "H800", count: 8 }, fleet, rules, new Date("2023-10-17")).placed, undefined);
  });

  it("uses a recorded transfer, in order of preference, and only once it applies", () => {
    const d = place({ dataset: globalChat, accelerator: "B200", count: 8 }, clusters, rules, at);
    assert.equal(d.placed?.cluster, "johor-1");
    assert.deepEqual(reasonsOf(d, "sg-1"), ["has no B200 nodes"]);
    assert.match(reasonsOf(d, "use-1")[0]!, /must stay in sg: no transfer mechanism to us-east/);
    const before = place({ dataset: globalChat, accelerator: "B200", count: 8 }, clusters, rules, new Date("2024-12-31"));
    assert.equal(before.placed, undefined, "the transfer agreement starts in 2025");
  });

  it("counts free accelerators, and takes CPU-only clusters for CPU runs", () => {
    const d = place({ dataset: cnChat, accelerator: "H20", count: 9 }, clusters, rules, at);
    assert.deepEqual(reasonsOf(d, "bj-1"), ["no node has 9 free H20 (most free: 8)"]);
    assert.equal(place({ dataset: globalChat, accelerator: "CPU", count: 1 }, clusters, rules, at).placed?.cluster, "sg-1");
  });

  it("groups clusters by reason with counts, so a decision does not grow with the fleet", () => {
    const fleet = (n: number): Cluster[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `c-${String(i).padStart(5, "0")}`,
        region: i % 2 ? "cn-north" : `far-${i % 40}`,
        operator: "ops",
        nodes: [{ id: "n", accelerator: "H20", count: 8, free: i === n - 1 ? 8 : 0 }],
      }));
    const small = place({ dataset: cnChat, accelerator: "H20", count: 4 }, fleet(200), rules, at);
    const large = place({ dataset: cnChat, accelerator: "H20", count: 4 }, fleet(20_000), rules, at);
    assert.equal(large.considered, 20_000);
    assert.deepEqual(large.eligible, { reasons: [], count: 1, clusters: ["c-19999"] });
    assert.equal(large.placed?.cluster, "c-19999");
    const full = large.refused.find((g) => g.reasons[0] === "no node has 4 free H20 (most free: 0)")!;
    assert.equal(full.count, 9_999, "every other cn-north cluster, counted");
    assert.deepEqual(full.clusters, ["c-00001", "c-00003", "c-00005", "c-00007", "c-00009"]);
    assert.equal(large.refused.length, 20, "20 groups listed");
    assert.equal(large.refused.reduce((n, g) => n + g.count, 0) + large.moreRefused, 19_999);
    assert.ok(JSON.stringify(large).length <= JSON.stringify(small).length * 1.1, "the same size for 100 times the fleet");
    const nowhere = place({ dataset: cnChat, accelerator: "H20", count: 9 }, fleet(20_000), rules, at);
    assert.match(
      nowhere.summary,
      /^refused c-00001, c-00003, c-00005, c-00007, c-00009 and 9994 more: no node has 9 free H20 \(most free: 0\)\. refused c-19999: no node has 9 free H20 \(most free: 8\)\. refused c-00000, c-00040, c-00080, c-00120, c-00160 and 495 more: dataset cn-chat/,
    );
    assert.match(nowhere.summary, /\. 8500 more clusters refused for other reasons$/);
  });
});
