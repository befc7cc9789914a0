import type { ModelInfo, Provider } from "@benih/spec";
import type { Router } from "./routing/router.ts";

export interface CatalogEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/**
 * What `GET /v1/models` lists: configured routes, then every model each provider reports, as `<provider>/<id>`.
 * Provider lists are fetched in the background and refreshed; a provider that cannot be reached keeps its last
 * list (or none) and is reported in `problems`, never failing the listing.
 */
export class ModelCatalog {
  private readonly listed = new Map<string, ModelInfo[]>();
  readonly problems = new Map<string, string>();
  private readonly started = Math.floor(Date.now() / 1000);
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly router: Router,
    private readonly providers: ReadonlyMap<string, Provider>,
    /** Providers whose models are listed without a prefix (local GGUF models), keyed by provider name. */
    private readonly unprefixed: ReadonlySet<string> = new Set(),
    private readonly timeoutMs = 5_000,
  ) {}

  refresh(): Promise<void> {
    this.refreshing ??= Promise.all(
      [...this.providers.values()].map(async (p) => {
        if (!p.listModels) return;
        try {
          this.listed.set(p.name, await p.listModels(AbortSignal.timeout(this.timeoutMs)));
          this.problems.delete(p.name);
        } catch (err) {
          this.problems.set(p.name, (err as Error).message);
        }
      }),
    ).then(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  list(): CatalogEntry[] {
    const out = new Map<string, CatalogEntry>();
    for (const r of this.router.configuredRoutes()) {
      out.set(r.model, { id: r.model, object: "model", created: this.started, owned_by: r.targets[0]?.provider ?? "benih" });
    }
    for (const [provider, models] of this.listed) {
      for (const m of models) {
        const id = this.unprefixed.has(provider) ? m.id : `${provider}/${m.id}`;
        if (!out.has(id)) out.set(id, { id, object: "model", created: m.created ?? this.started, owned_by: m.ownedBy });
      }
    }
    return [...out.values()];
  }

  /** A listed model, or any model the router can reach (`openai/gpt-4o` works before the list arrives). */
  get(id: string): CatalogEntry | undefined {
    const listed = this.list().find((m) => m.id === id);
    if (listed) return listed;
    const route = this.router.resolve(id);
    return route ? { id, object: "model", created: this.started, owned_by: route.targets[0]?.provider ?? "benih" } : undefined;
  }
}
