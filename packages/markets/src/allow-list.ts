/**
 * A market's allow-list of `provider/model` globs (`*` matches any run of characters, `/` included). Compiled
 * once; checked for every target of every request, fallbacks included.
 */
export class AllowList {
  private readonly patterns: RegExp[];

  constructor(readonly entries: readonly string[]) {
    this.patterns = entries.map((e) => {
      if (!/^[^/]+\/.+$/.test(e)) throw new Error(`allow-list entry "${e}" must look like provider/model or provider/*`);
      return new RegExp(`^${e.split("*").map(escapeRegExp).join(".*")}$`);
    });
  }

  allows(provider: string, model: string): boolean {
    const name = `${provider}/${model}`;
    return this.patterns.some((p) => p.test(name));
  }

  /** Whether an entry allows every model of this provider. */
  allowsProvider(provider: string): boolean {
    return this.entries.some((e) => e === `${provider}/*` || e === "*/*");
  }

  /** Providers named by some entry. */
  providers(): string[] {
    return [...new Set(this.entries.map((e) => e.slice(0, e.indexOf("/"))))];
  }
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
