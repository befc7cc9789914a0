// bench:search — the knowledge base at 100,000 documents (mixed Chinese and English, about 400 characters each)
// on SQLite: indexing rate (cut into passages, words split by Intl.Segmenter, written with the FTS5 index), and
// query latency (p50, p99) of the search the assistant runs. Baseline, measured in the same run on the same
// rows: the ranked LIKE scan one would write without a full-text index. Target: p50 ≤ 5 ms. With --hybrid, then
// hybrid search (keywords and vectors) over the same passages: see hybrid.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { chunk, terms } from "@benih/assistant";
import { Store } from "@benih/store";
import { benchHybrid } from "./hybrid.ts";

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const QUERIES = 1000;
const BASELINE_QUERIES = 30;

// A seeded generator: the same corpus every run.
let seed = 42;
const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const zipf = <T>(xs: readonly T[]) => xs[Math.floor(xs.length * rand() ** 2.2)]!;

const syllables = "ka ri mu to sa no le pa di ver an ton mis gel bor ul en sta pri co lum tra".split(" ");
const english = Array.from({ length: 6000 }, (_, i) =>
  i < 60
    ? "the of and to in is was for on that with as by at from it an be this are".split(" ")[i % 20]!
    : Array.from({ length: 2 + (i % 3) }, () => syllables[Math.floor(rand() * syllables.length)]).join("") + (i % 7),
);
// Chinese from real words (common words, and the Chinese names of the world's countries), so that Intl.Segmenter
// splits it as it splits real text: random characters would come out as single-character "words".
const common =
  "我们 因为 所以 问题 工作 学习 时间 中国 发展 经济 技术 市场 公司 政府 社会 教育 文化 历史 城市 人民 国家 世界 生活 科学 研究 方法 系统 数据 信息 网络 服务 产品 管理 环境 能源 交通 医院 学校 学生 老师 朋友 家庭 孩子 电脑 手机 软件 模型 训练 搜索 文档 翻译 图片 视频 天气 旅游 美食 音乐 电影 运动 健康 银行 价格 质量 安全 设计 开发 测试 部署 用户 客户 项目 会议 报告 计划 目标 结果 原因 影响 变化 需要 可以 应该 已经 正在 非常 重要 简单 复杂 不同 相同 今天 明天 昨天 现在 以后 以前 北京 上海 广州 深圳 杭州 南京 成都 武汉 西安 重庆 长江 黄河 雅加达 吉隆坡 首都 人口 面积 语言 货币 大学 公园 博物馆 图书馆 火车站 机场 的 是 在 了 和 有 这 也 都 就".split(
    " ",
  );
const { default: countries } = await import("i18n-iso-countries");
countries.registerLocale((await import("i18n-iso-countries/langs/zh.json", { with: { type: "json" } })).default);
const chinese = [...common.slice(-10), ...common.slice(0, -10), ...Object.values(countries.getNames("zh"))];
const sentence = (zh: boolean) =>
  zh
    ? `${Array.from({ length: 12 + Math.floor(rand() * 10) }, () => zipf(chinese)).join("")}。`
    : `${Array.from({ length: 10 + Math.floor(rand() * 10) }, () => zipf(english)).join(" ")}.`;
const document = (zh: boolean) => {
  let text = "";
  while (text.length < (zh ? 160 : 400)) text += `${sentence(zh)} `;
  return text.trim();
};

const dir = mkdtempSync(join(tmpdir(), "benih-bench-search-"));
const store = await Store.open({ dialect: "sqlite", target: join(dir, "kb.db") });
try {
  const t0 = performance.now();
  let passages = 0;
  for (let i = 0; i < DOCS; i++) {
    const zh = i % 2 === 0;
    const chunks = chunk([{ page: null, text: document(zh) }]);
    passages += chunks.length;
    await store.knowledge.add(
      { owner: null, title: `doc ${i}`, source: `doc-${i}.${zh ? "zh" : "en"}.txt`, mime: "text/plain", bytes: 400 },
      chunks,
    );
  }
  const indexSeconds = (performance.now() - t0) / 1000;

  // Questions as people ask them: a common word or two around the words that matter.
  const query = (i: number) =>
    i % 2 === 0
      ? `${chinese[10 + Math.floor(rand() * (chinese.length - 10))]}的${chinese[10 + Math.floor(rand() * (chinese.length - 10))]}是什么`
      : `what is the ${english[200 + Math.floor(rand() * 3000)]} of ${english[200 + Math.floor(rand() * 3000)]}`;
  const queries = Array.from({ length: QUERIES }, (_, i) => query(i));
  for (const q of queries.slice(0, 50)) await store.knowledge.search(null, terms(q), 5); // warm the page cache
  const took: number[] = [];
  const byLanguage: Record<"zh" | "en", number[]> = { zh: [], en: [] };
  let found = 0;
  for (const [i, q] of queries.entries()) {
    const s = performance.now();
    const hits = await store.knowledge.search(null, terms(q), 5);
    const ms = performance.now() - s;
    took.push(ms);
    byLanguage[i % 2 === 0 ? "zh" : "en"].push(ms);
    found += hits.length ? 1 : 0;
  }
  const baseline: number[] = [];
  for (const q of queries.slice(0, BASELINE_QUERIES)) {
    const words = terms(q);
    const s = performance.now();
    // Ranked, as search is: the passages matching the most of the words, which needs every row looked at.
    const matches = sql.join(
      words.map((w) => sql`(text like ${`%${w}%`})`),
      sql` + `,
    );
    await sql`select id, text, ${matches} as score from kb_chunks where ${matches} > 0 order by score desc limit 5`.execute(store.db);
    baseline.push(performance.now() - s);
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
  const p50 = pct(took, 50);
  const p99 = pct(took, 99);
  const base50 = pct(baseline, 50);
  console.log("bench:search\n");
  console.log(
    `indexing ${DOCS.toLocaleString()} documents (${passages.toLocaleString()} passages, half Chinese): ${Math.round(DOCS / indexSeconds).toLocaleString()} documents/s (${indexSeconds.toFixed(1)} s)`,
  );
  console.log(
    `${QUERIES} queries (half Chinese, half English; ${found} with hits): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target p50 ≤ 5 ms: ${p50 <= 5 ? "met" : "NOT met"})`,
  );
  console.log(
    `  Chinese: p50 ${pct(byLanguage.zh, 50).toFixed(2)} ms, p99 ${pct(byLanguage.zh, 99).toFixed(2)} ms; English: p50 ${pct(byLanguage.en, 50).toFixed(2)} ms, p99 ${pct(byLanguage.en, 99).toFixed(2)} ms`,
  );
  console.log(
    `baseline, a ranked LIKE scan over the same passages (${BASELINE_QUERIES} queries): p50 ${base50.toFixed(1)} ms → full-text search takes ${(p50 / base50).toFixed(4)}× the baseline's time`,
  );
  if (process.argv.includes("--hybrid")) await benchHybrid(store, queries, document);
} finally {
  await store.close();
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
