/**
 * Placement rules, each with the date it takes effect: the rule in force on a day is the latest one of its kind
 * whose date has come, so a tightening of export controls can be entered before it applies.
 */
export interface AcceleratorRule {
  /** Regions this rule covers. */
  regions: string[];
  /** Accelerator models allowed there; omitted: any not denied. */
  allow?: string[];
  deny?: string[];
  /** YYYY-MM-DD. */
  effective: string;
  /** Where the rule comes from, quoted in reasons ("US export controls, 2023-10-17"). */
  source: string;
}

export interface PlacementRules {
  accelerators: AcceleratorRule[];
  /** Regions in order of preference; others after them. */
  preference: string[];
}

/** The accelerator rule in force for a region on a day, if any. */
export function acceleratorRuleFor(rules: PlacementRules, region: string, day: string): AcceleratorRule | undefined {
  return rules.accelerators
    .filter((r) => r.regions.includes(region) && r.effective <= day)
    .sort((a, b) => b.effective.localeCompare(a.effective))[0];
}

/** Why an accelerator may not be used in a region on a day, or undefined when it may. */
export function acceleratorRefusal(rules: PlacementRules, region: string, accelerator: string, day: string): string | undefined {
  const rule = acceleratorRuleFor(rules, region, day);
  if (!rule || accelerator === "CPU") return undefined;
  if (rule.deny?.includes(accelerator) || (rule.allow && !rule.allow.includes(accelerator))) {
    const allowed = rule.allow ? `; allowed there: ${rule.allow.join(", ")}` : "";
    return `${accelerator} is not allowed in ${region} since ${rule.effective} (${rule.source})${allowed}`;
  }
  return undefined;
}
