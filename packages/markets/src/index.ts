export { AllowList } from "./allow-list.ts";
export { ContentPolicy, OutputGuard, type PolicyHit } from "./policy.ts";
export { Markets, hostName, type Market, type ResolveInput, type Resolution } from "./markets.ts";
export { checkMarkets, type Finding, type ProviderInfo } from "./check.ts";
export { localized, type BlockedTerm, type Localized, type MarketProfile, type MarketStore } from "./profile.ts";
