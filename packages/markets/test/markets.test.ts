import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AllowList, checkMarkets, ContentPolicy, Markets, type MarketProfile } from "@benih/markets";

function profile(id: string, over: Partial<MarketProfile> = {}): MarketProfile {
  return {
    id,
    region: id,
    displayName: { en: id },
    brand: { name: { en: id }, colors: { primary: "#000" } },
    defaultLocale: "en",
    locales: ["en"],
    hosts: [`${id}.localhost`],
    allow: [`local/benih-tiny-${id}`],
    defaults: {},
    search: [],
    policy: { blocked: [], refusal: { en: "no" } },
    retentionDays: 30,
    store: { sqlite: `${id}.db` },
    ...over,
  };
}

describe("allow-lists", () => {
  it("match provider/model globs and nothing else", () => {
    const a = new AllowList(["local/benih-tiny-cn", "deepseek/*", "qwen/qwen-*"]);
    assert.ok(a.allows("local", "benih-tiny-cn"));
    assert.ok(!a.allows("local", "benih-tiny-global"));
    assert.ok(!a.allows("local", "benih-tiny-cn2"), "a name is not a prefix");
    assert.ok(a.allows("deepseek", "deepseek-chat"));
    assert.ok(a.allows("qwen", "qwen-max"));
    assert.ok(!a.allows("qwen", "max"));
    assert.ok(!a.allows("openai", "gpt-4o"));
    assert.ok(!a.allows("deepseek.evil", "x"), "dots are literal");
    assert.throws(() => new AllowList(["gpt-4o"]), /must look like provider\/model/);
  });
});

describe("content policy", () => {
  const policy = new ContentPolicy([
    { term: "赌博", category: "gambling" },
    { term: "Casino", category: "gambling" },
    { term: "bad word", category: "abuse" },
  ]);

  it("finds terms case-insensitively, full-width too; Latin words only whole, Chinese anywhere", () => {
    assert.equal(policy.scan("Best CASINO in town")?.category, "gambling");
    assert.equal(policy.scan("ｃａｓｉｎｏ night")?.term, "Casino");
    assert.equal(policy.scan("casinos"), undefined, "not a whole word");
    assert.equal(policy.scan("在线赌博网站")?.term, "赌博");
    assert.equal(policy.scan("a Bad Word here")?.category, "abuse");
    assert.equal(policy.scan("nothing to see"), undefined);
    assert.match(policy.scan(`${"x".repeat(100)} casino ${"y".repeat(100)}`)!.excerpt, /^x+ casino y+$/);
  });

  it("streams: a term split across pieces is caught before any of it is sent; clean text goes out whole", () => {
    const g = policy.guard();
    let sent = "";
    for (const piece of ["Welcome to the ca", "s", "ino!"]) {
      const r = g.push(piece);
      sent += r.text;
      if (r.hit) {
        assert.equal(r.hit.term, "Casino");
        assert.ok(!/cas/i.test(sent), `sent "${sent}"`);
        return;
      }
    }
    assert.fail("the split term was not caught");
  });

  it("streams: 'casinos' passes once the next piece shows the word goes on; the end releases the rest", () => {
    const g = policy.guard();
    let sent = "";
    for (const piece of ["I like casino", "s and 赌", "场"]) {
      const r = g.push(piece);
      assert.equal(r.hit, undefined);
      sent += r.text;
    }
    const end = g.end();
    assert.equal(end.hit, undefined);
    assert.equal(sent + end.text, "I like casinos and 赌场");
    const g2 = policy.guard();
    assert.equal(g2.push("go to the casino").hit, undefined, "undecided until the word ends");
    assert.equal(g2.end().hit?.term, "Casino");
  });

  it("never splits a surrogate pair", () => {
    const g = new ContentPolicy([{ term: "ab", category: "x" }]).guard();
    const r = g.push("😀😀😀");
    assert.ok(!/[\ud800-\udbff]$/.test(r.text));
    assert.equal(r.text + g.end().text, "😀😀😀");
  });
});

describe("content policy against Unicode tricks", () => {
  const policy = new ContentPolicy([
    { term: "Casino", category: "gambling" },
    { term: "bad word", category: "abuse" },
    { term: "fish", category: "test" },
    { term: "café", category: "test" },
    { term: "赌博", category: "gambling" },
    { term: "ga\u200Bme", category: "configured with a zero-width space" },
  ]);
  const term = (text: string) => policy.scan(text)?.term;

  it("sees through zero-width and other format characters, soft hyphens and variation selectors", () => {
    assert.equal(term("best ca\u200Bsino"), "Casino");
    for (const cf of ["\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u180E", "\uFE0F", "\u034F"]) {
      assert.equal(term(`cas${cf}ino night`), "Casino", `U+${cf.codePointAt(0)!.toString(16)}`);
    }
    assert.equal(term("c\u200Ba\u200Bs\u200Bi\u200Bn\u200Bo"), "Casino");
    assert.equal(term("casino\u200Bs"), undefined, "a zero-width space does not end a word");
    assert.equal(term("game on"), "ga\u200Bme", "terms are folded too");
  });

  it("folds runs of white space inside multi-word terms", () => {
    assert.equal(term("a bad  word"), "bad word");
    assert.equal(term("a bad\tword"), "bad word");
    assert.equal(term("a bad\n\n  word"), "bad word");
    assert.equal(term("a bad\u00A0\u3000word"), "bad word");
    assert.equal(term("a bad\u200B \u200Bword"), "bad word");
    assert.equal(term("a badword"), undefined);
  });

  it("matches compatibility forms: full-width, ligatures, circled and mathematical letters, decomposed accents", () => {
    assert.equal(term("ＣＡＳＩＮＯ"), "Casino");
    assert.equal(term("gone ﬁshing? no, ﬁsh."), "fish");
    assert.equal(term("ﬁshing"), undefined, "still whole words");
    assert.equal(term("ⓒⓐⓢⓘⓝⓞ"), "Casino");
    assert.equal(term("𝐂𝐚𝐬𝐢𝐧𝐨 royale"), "Casino");
    assert.equal(term("𝕔𝕒𝕤𝕚𝕟𝕠"), "Casino");
    assert.equal(term("a cafe\u0301 and"), "café");
    assert.equal(term("a CAFE\u200B\u0301 and"), "café", "a combining mark after a zero-width space");
    assert.equal(term("a cafe"), undefined);
  });

  it("finds Chinese terms with a zero-width space inside, anywhere", () => {
    assert.equal(term("在线赌\u200B博网站"), "赌博");
    assert.equal(term("在线赌\u2060\uFEFF博"), "赌博");
  });

  it("reports original indexes and excerpts", () => {
    const text = `${"x".repeat(30)} ca\u200Bs\u00ADino ${"y".repeat(30)}`;
    const found = policy.find(text, true)!;
    assert.equal(found.index, 31);
    assert.equal(found.hit.excerpt, `${"x".repeat(19)} ca\u200Bs\u00ADino ${"y".repeat(19)}`);
    assert.equal(policy.find("😀 ＣＡＳＩＮＯ!", true)!.index, 3);
    assert.equal(policy.find("ab  \t  bad   word", true)!.index, 7);
  });

  const stream = (pieces: string[]) => {
    const g = policy.guard();
    let sent = "";
    for (const piece of pieces) {
      const r = g.push(piece);
      sent += r.text;
      if (r.hit) return { sent, hit: r.hit };
    }
    const r = g.end();
    return { sent: sent + r.text, hit: r.hit };
  };

  it("streams: a term split across pieces with zero-width characters between them is never sent", () => {
    const r = stream(["Welcome to the c", "a\u200B\u200B", "\u200Bs\u00AD", "\u2060i", "no!"]);
    assert.equal(r.hit?.term, "Casino");
    assert.ok("Welcome to the ".startsWith(r.sent), `nothing of the term went out: sent "${r.sent}"`);
    const spaced = stream(["so bad", " \n", "\t wo", "rd."]);
    assert.equal(spaced.hit?.term, "bad word");
    assert.ok("so ".startsWith(spaced.sent), spaced.sent);
    const cn = stream(["在线赌", "\u200B", "博"]);
    assert.equal(cn.hit?.term, "赌博");
    assert.ok("在线".startsWith(cn.sent), cn.sent);
    const marks = stream(["a cafe", "\u200B", "\u0301 please"]);
    assert.equal(marks.hit?.term, "café");
    assert.ok("a ".startsWith(marks.sent), marks.sent);
  });

  it("streams: clean text with zero-width characters, emoji and compatibility forms goes out whole and unchanged", () => {
    const pieces = [
      "Hello\u200B ",
      "wor",
      "ld 😀",
      "😀 ﬁs",
      "hing ＣＡＳ",
      "ＩＮＯＳ",
      " ca\u200B",
      "sinos 赌",
      "场 👍🏽 e\u0301",
      "\u0301 end\u200B",
    ];
    const r = stream(pieces);
    assert.equal(r.hit, undefined);
    assert.equal(r.sent, pieces.join(""));
  });

  it("streams: holds back only what may start a term, and never half a surrogate pair", () => {
    const g = new ContentPolicy([{ term: "ab", category: "x" }]).guard();
    let sent = "";
    for (const piece of ["😀\u200B😀", "\u200B😀\u200B", "😀x"]) {
      const r = g.push(piece);
      assert.ok(!/[\ud800-\udbff]$/.test(r.text), JSON.stringify(r.text));
      sent += r.text;
    }
    assert.equal(sent, "😀\u200B😀\u200B😀\u200B", "the last two folded characters are held");
    assert.equal(sent + g.end().text, "😀\u200B😀\u200B😀\u200B😀x");
  });
});

describe("market resolution", () => {
  const markets = new Markets([profile("cn"), profile("global", { hosts: ["global.localhost", "localhost", "127.0.0.1"] })]);
  const id = (r: ReturnType<Markets["resolve"]>) => ("market" in r ? r.market.profile.id : `${r.refused.status} ${r.refused.code}`);

  it("resolves by host (ports ignored), by key, and by the header for admins only", () => {
    assert.equal(id(markets.resolve({ host: "cn.localhost:8080", isAdmin: false })), "cn");
    assert.equal(id(markets.resolve({ host: "LOCALHOST", isAdmin: false })), "global");
    assert.equal(id(markets.resolve({ host: "127.0.0.1:9", isAdmin: false })), "global");
    assert.equal(id(markets.resolve({ host: "api.example.com", keyMarket: "cn", isAdmin: false })), "cn");
    assert.equal(id(markets.resolve({ host: "global.localhost", isAdmin: true, header: "cn" })), "cn");
  });

  it("refuses a key at another market's host, the header from a non-admin, and unknown hosts", () => {
    assert.equal(id(markets.resolve({ host: "global.localhost", keyMarket: "cn", isAdmin: false })), "403 wrong_market");
    assert.equal(id(markets.resolve({ host: "cn.localhost", isAdmin: false, header: "global" })), "403 market_header_admin_only");
    assert.equal(id(markets.resolve({ host: "cn.localhost", isAdmin: true, header: "mars" })), "400 unknown_market");
    assert.equal(id(markets.resolve({ host: "api.example.com", isAdmin: false })), "421 no_market");
    assert.equal(id(markets.resolve({ host: "x", keyMarket: "gone", isAdmin: false })), "403 market_not_configured");
    const withDefault = new Markets([profile("cn"), profile("global")], "global");
    assert.equal(id(withDefault.resolve({ host: "api.example.com", isAdmin: false })), "global");
  });

  it("refuses configurations that would mix markets", () => {
    assert.throws(() => new Markets([profile("cn"), profile("cn")]), /two markets are named "cn"/);
    assert.throws(
      () => new Markets([profile("cn"), profile("global", { hosts: ["CN.localhost"] })]),
      /host cn.localhost is listed by both/,
    );
    assert.throws(() => new Markets([profile("cn")], "global"), /default market "global" is not one of the markets/);
  });
});

describe("markets check", () => {
  it("warns about providers outside the region and unconfigured ones; errors on shared stores and disallowed defaults", () => {
    const markets = new Markets([
      profile("cn", {
        allow: ["local/benih-tiny-cn", "openai/*", "deepseek/*"],
        defaults: { chat: "openai/gpt-4o", translate: "benih-tiny-global" },
      }),
      profile("global", { store: { sqlite: "cn.db" } }),
    ]);
    const routes: Record<string, Array<{ provider: string; model: string }>> = {
      "openai/gpt-4o": [{ provider: "openai", model: "gpt-4o" }],
      "benih-tiny-global": [{ provider: "local", model: "benih-tiny-global" }],
    };
    const findings = checkMarkets(markets, {
      providers: new Map([
        ["local", {}],
        ["openai", { region: "us" }],
      ]),
      hint: (p) => `set ${p.toUpperCase()}_API_KEY`,
      targets: (m) => routes[m],
    });
    const text = findings.map((f) => `${f.market} ${f.level}: ${f.message}`);
    assert.ok(text.includes("cn warning: allows provider openai, whose region us lies outside the market's region cn"), text.join("\n"));
    assert.ok(text.includes("cn warning: allows deepseek, which is not configured (set DEEPSEEK_API_KEY)"));
    assert.ok(text.includes("cn error: default translate model benih-tiny-global is not in the market's allow-list"));
    assert.ok(!text.some((t) => t.includes("default chat")), "openai/gpt-4o is allowed in cn here");
    assert.ok(text.includes("global error: shares its store with market cn: each market needs its own"));
  });
});

describe("content policy against text built to be slow", () => {
  const policy = new ContentPolicy([{ term: "bad word", category: "test" }]);

  it("still finds a term after a run of combining marks longer than any real text stacks", () => {
    assert.equal(policy.scan(`a${"\u0301\u0316".repeat(50_000)} bad word`)?.term, "bad word");
  });

  it("streams past thousands of invisible characters without holding them all, and still catches a term after", () => {
    const guard = policy.guard();
    let sent = "";
    const backlog = "\u200b".repeat(20_000);
    for (let i = 0; i < backlog.length; i += 4) sent += guard.push(backlog.slice(i, i + 4)).text;
    const tail = guard.push(" then a bad");
    sent += tail.text;
    const end = guard.push(" word.");
    assert.equal(end.hit?.term, "bad word");
    assert.ok(!sent.includes("\u200b".repeat(5000)), "the invisible backlog is not kept and replayed");
  });
});
