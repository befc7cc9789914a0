// What this server offers: the market serving this host, its models, settings, agents, and video jobs.
import { authed, call, errorOf } from "./http.ts";
import type { AgentBody, AgentPatch, AgentView, ModelView, VideoJobView } from "@benih/contracts";
import type { MarketInfo, Settings } from "./types.ts";

/** The market for this host; null when the server runs without markets. */
export async function getMarket(): Promise<MarketInfo | null> {
  const res = await authed("/v1/market");
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(await errorOf(res));
  return (await res.json()) as MarketInfo;
}

export const getModels = () => call<{ data: ModelView[] }>("GET", "/v1/models").then((r) => r.data);
export const getSettings = () => call<Settings>("GET", "/v1/settings");
/** The agents, the built-in ones' starters in the UI language. */
export const getAgents = (lang: string) => call<{ data: AgentView[] }>("GET", `/v1/agents?lang=${lang}`).then((r) => r.data);
export const createAgent = (a: AgentBody) => call<AgentView>("POST", "/v1/agents", a);
export const updateAgent = (id: string, a: AgentPatch) => call<AgentView>("PATCH", `/v1/agents/${encodeURIComponent(id)}`, a);
export const deleteAgent = (id: string) => call<void>("DELETE", `/v1/agents/${encodeURIComponent(id)}`);
export const getVideo = (id: string) => call<VideoJobView>("GET", `/v1/videos/${id}`);
