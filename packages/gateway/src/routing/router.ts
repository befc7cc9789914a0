import type { ChatModel, EmbeddingModel, Provider } from "@benih/spec";

export interface Target {
  provider: string;
  model: string;
  /** Until the first token (streaming) or the whole answer (non-streaming). */
  timeoutMs?: number;
  /** Longest silence allowed between two parts of a stream once it has started. */
  idleTimeoutMs?: number;
  /** Extra tries on this target for connect errors, 429 and 5xx, before falling back. */
  retries?: number;
}

export interface Route {
  /** The name clients send as `model`. */
  model: string;
  /** Tried in order; the next one only when the previous failed before sending anything. */
  targets: Target[];
}

export const targetName = (t: Target) => `${t.provider}/${t.model}`;

/**
 * Maps a requested model name to its targets: a configured route first, else `<provider>/<model>` for any
 * registered provider, so every upstream model is reachable without configuring it.
 */
export class Router {
  private readonly routes = new Map<string, Route>();
  /** `<provider>/<model>` routes made on demand, kept so a model asked for again gets the same one. */
  private readonly prefixed = new Map<string, Route>();
  private readonly models = new Map<string, ChatModel>();
  private readonly embedders = new Map<string, EmbeddingModel>();

  constructor(
    private readonly providers: ReadonlyMap<string, Provider>,
    routes: Route[],
    /** Why a provider that routes name is missing, e.g. "set OPENAI_API_KEY". */
    private readonly missingProviderHint: (name: string) => string = (name) => `provider ${name} is not configured`,
  ) {
    for (const r of routes) this.routes.set(r.model, r);
  }

  resolve(model: string): Route | undefined {
    const route = this.routes.get(model) ?? this.prefixed.get(model);
    if (route) return route;
    const slash = model.indexOf("/");
    if (slash > 0 && this.providers.has(model.slice(0, slash)) && slash < model.length - 1) {
      const made = { model, targets: [{ provider: model.slice(0, slash), model: model.slice(slash + 1) }] };
      // Bounded: model names come from clients, and any name under a provider's prefix routes.
      if (this.prefixed.size >= 10_000) this.prefixed.clear();
      this.prefixed.set(model, made);
      return made;
    }
    return undefined;
  }

  /** The chat model behind a target, or why there is none. */
  chatModel(t: Target): ChatModel | { missing: string } {
    const key = targetName(t);
    let m = this.models.get(key);
    if (!m) {
      const provider = this.providers.get(t.provider);
      if (!provider) return { missing: this.missingProviderHint(t.provider) };
      m = provider.chatModel(t.model);
      this.models.set(key, m);
    }
    return m;
  }

  /** The embedding model behind a target, or why there is none (no such provider, or one without embeddings). */
  embeddingModel(t: Target): EmbeddingModel | { missing: string } {
    const key = targetName(t);
    let m = this.embedders.get(key);
    if (!m) {
      const provider = this.providers.get(t.provider);
      if (!provider) return { missing: this.missingProviderHint(t.provider) };
      if (!provider.embeddingModel) return { missing: `provider ${t.provider} does not make embeddings` };
      m = provider.embeddingModel(t.model);
      this.embedders.set(key, m);
    }
    return m;
  }

  /** Whether a target's provider makes embeddings at all (unknown providers do not). */
  embeds(t: Target): boolean {
    return typeof this.providers.get(t.provider)?.embeddingModel === "function";
  }

  configuredRoutes(): Route[] {
    return [...this.routes.values()];
  }
}
