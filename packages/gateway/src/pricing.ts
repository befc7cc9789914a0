import type { Usage } from "@benih/spec";

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
}

/**
 * Prices keyed by target (`provider/model`), then by upstream model name alone, then by provider with `/*`.
 * Local models cost nothing unless priced. Unknown: null, so "free" and "unpriced" are told apart.
 */
export class PriceTable {
  constructor(
    private readonly prices: Record<string, Price>,
    private readonly freeProviders: ReadonlySet<string> = new Set(),
  ) {}

  lookup(provider: string, model: string): Price | undefined {
    return this.prices[`${provider}/${model}`] ?? this.prices[model] ?? this.prices[`${provider}/*`];
  }

  cost(provider: string, model: string, usage: Usage): number | null {
    const p = this.lookup(provider, model) ?? (this.freeProviders.has(provider) ? { input: 0, output: 0 } : undefined);
    if (!p || usage.inputTokens === undefined || usage.outputTokens === undefined) return null;
    return (usage.inputTokens * p.input + usage.outputTokens * p.output) / 1e6;
  }
}
