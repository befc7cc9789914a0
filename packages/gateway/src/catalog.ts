import type { ModelView } from "@benih/contracts";
import type { ModelInfo, Provider } from "@benih/spec";
import type { Router } from "./routing/router.ts";

/** A model as GET /v1/models lists it (the contracts' `modelView`). */
export type CatalogEntry = ModelView;

/** What a provider says of a model, as the catalog lists it. */
const facts = (m: ModelInfo | undefined): Pick<CatalogEntry, "context_length" | "languages" | "examples"> => ({
  ...(m?.contextLength !== undefined && { context_length: m.contextLength }),
  ...(m?.languages && { languages: m.languages }),
  ...(m?.examples && { examples: m.examples }),
});

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
    // A route is listed with what its first target's provider says of that model (a local model: its file).
    for (const r of this.router.configuredRoutes()) {
      const first = r.targets[0];
      const info = first && this.listed.get(first.provider)?.find((m) => m.id === first.model);
      const owned_by = (first && this.unprefixed.has(first.provider) && info?.ownedBy) || first?.provider || "benih";
      out.set(r.model, { id: r.model, object: "model", created: this.started, owned_by, ...facts(info) });
    }
    for (const [provider, models] of this.listed) {
      for (const m of models) {
        const id = this.unprefixed.has(provider) ? m.id : `${provider}/${m.id}`;
        if (!out.has(id)) out.set(id, { id, object: "model", created: m.created ?? this.started, owned_by: m.ownedBy, ...facts(m) });
      }
    }
    return [...out.values()];
  }

  /** A model's context in tokens, where it is known: what prompts to it must fit in, answer included. */
  contextLength(id: string): number | undefined {
    return this.get(id)?.context_length;
  }

  /** A listed model, or any model the router can reach (`openai/gpt-4o` works before the list arrives). */
  get(id: string): CatalogEntry | undefined {
    const listed = this.list().find((m) => m.id === id);
    if (listed) return listed;
    const route = this.router.resolve(id);
    return route ? { id, object: "model", created: this.started, owned_by: route.targets[0]?.provider ?? "benih" } : undefined;
  }
}
