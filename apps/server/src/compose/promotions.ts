import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promoteRun, rollbackModel, type ControlError, type PromotionList, type PromotionView, type RunModel } from "@benih/contracts";
import { parseControlBody, PlaneError } from "@benih/control";
import { access } from "@benih/gateway";
import { fileSha256 } from "@benih/gguf";
import { AllowList } from "@benih/markets";
import type { LlamaCppModelConfig, LlamaCppProvider } from "@benih/providers";
import type { TrainingStore } from "@benih/store";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { stringify } from "yaml";
import type { BenihConfig } from "../config/schema.ts";
import type { ProviderSet } from "../providers.ts";

type PromotionRow = Awaited<ReturnType<TrainingStore["promotions"]>>[number];
type RunRow = NonNullable<Awaited<ReturnType<TrainingStore["getRun"]>>>;

const viewOf = (r: PromotionRow): PromotionView => ({
  id: r.id,
  at: r.at,
  market: r.market,
  model: r.model_id,
  action: r.action as PromotionView["action"],
  runId: r.run_id,
  by: r.by,
});

/** Promotions' ids sort by time, as run ids do. */
const promotionId = () => `promo-${Date.now().toString(36)}${randomUUID().replaceAll("-", "").slice(0, 8)}`;

/** A market's local model id, and the provider that serves it. */
interface Target {
  market: string;
  model: string;
  /** `provider/model`, as the server's local models are keyed. */
  key: string;
  provider: LlamaCppProvider;
  /** What the id was served from when the server started: what a rollback past every promotion serves again. */
  shipped: LlamaCppModelConfig;
}

/**
 * Promotion of finished runs' models to what markets serve: a run's GGUF (a model or a LoRA adapter on the id's
 * base) is copied into the data folder, checked against the SHA-256 its agent reported, and served under the
 * market's model id without a restart; a rollback serves again what the id served before. Every change is a row
 * of `model_promotions`, which is the audit and what a restarted server serves again.
 */
export class ModelPromotions {
  private readonly shipped = new Map<string, LlamaCppModelConfig>();
  /** One change at a time: each reads what is served and changes it. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: {
      config: BenihConfig;
      set: ProviderSet;
      store: TrainingStore;
      /** Where promoted copies are kept (the data folder's `promoted/`). */
      dir: string;
      /** Records a change in the market's admin audit, where its admins read it. */
      audit(market: string, entry: { actor: string; action: string; target: string; detail: Record<string, unknown> }): Promise<void>;
      /** Lists the models again (GET /v1/models), once what an id serves has changed. */
      refreshModels(): Promise<void>;
      warn(message: string): void;
    },
  ) {
    for (const key of o.set.localModels.keys()) {
      const slash = key.indexOf("/");
      const cfg = (o.set.providers.get(key.slice(0, slash)) as LlamaCppProvider | undefined)?.served?.(key.slice(slash + 1));
      if (cfg) this.shipped.set(key, cfg);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** The local model `model` (default: the market's chat model) of `market`, which no other market serves. */
  private target(market: string, model: string | undefined): Target {
    const markets = this.o.config.markets;
    const m = markets.find((x) => x.id === market);
    if (!m) throw new PlaneError(422, `there is no market "${market}"; markets: ${markets.map((x) => x.id).join(", ") || "none"}`);
    const id = model ?? m.defaults?.chat;
    if (!id) throw new PlaneError(422, `market ${market} names no chat model: say which model to promote to`);
    const name = [...this.o.set.unprefixed].find((n) => this.shipped.has(`${n}/${id}`));
    if (!name)
      throw new PlaneError(422, `${id} is not a local model of this server: only local (GGUF) models can be replaced by a run's model`);
    if (!new AllowList(m.allow).allows(name, id)) throw new PlaneError(422, `market ${market} does not serve ${name}/${id}`);
    const others = markets.filter((x) => x.id !== market && new AllowList(x.allow).allows(name, id)).map((x) => x.id);
    if (others.length)
      throw new PlaneError(
        409,
        `${id} is served in market ${others.join(", ")} too, which a promotion would change as well: give market ${market} a model id of its own`,
      );
    const key = `${name}/${id}`;
    return { market, model: id, key, provider: this.o.set.providers.get(name) as LlamaCppProvider, shipped: this.shipped.get(key)! };
  }

  /**
   * Serves `cfg` under the target's id; from then on the assistant counts its prompts with that file's tokenizer
   * (the card, which says what the market's model answers, stays), and the model list says what it is served from.
   */
  private async serveAs(t: Target, cfg: LlamaCppModelConfig): Promise<void> {
    await t.provider.serve(cfg);
    const card = this.o.set.localModels.get(t.key)?.card;
    this.o.set.localModels.set(t.key, { file: cfg.path, ...(card && { card }) });
    await this.o.refreshModels();
  }

  /** What `file` (a promoted copy) is served as under the target's id: keeping the card's facts of the model it replaces. */
  private configOf(t: Target, file: string, kind: RunModel["kind"]): LlamaCppModelConfig {
    const { adapter: _, ...card } = t.shipped;
    return kind === "adapter" ? { ...card, adapter: file } : { ...card, path: file };
  }

  promote(runId: string, market: string, model: string | undefined, by: string): Promise<PromotionView> {
    return this.serial(async () => {
      const run = await this.o.store.getRun(runId);
      if (!run) throw new PlaneError(404, `no run ${runId}`);
      if (run.state !== "succeeded")
        throw new PlaneError(409, `run ${runId} has not finished (it is ${run.state}): only a succeeded run's model can be promoted`);
      if (!run.model) throw new PlaneError(409, `run ${runId} succeeded without a model to serve (its trainer wrote no GGUF)`);
      if (run.market !== market)
        throw new PlaneError(
          422,
          `run ${runId} trained on market ${run.market}'s data (dataset ${run.dataset}): its model is served only in market ${run.market}`,
        );
      const t = this.target(market, model);
      const made = JSON.parse(run.model) as RunModel;
      if (!existsSync(made.location))
        throw new PlaneError(
          409,
          `the model of run ${runId} is at ${made.location}, in its region, which this server cannot read: promote it from a server that shares the region's run folders`,
        );
      const id = promotionId();
      await mkdir(this.o.dir, { recursive: true });
      const file = join(this.o.dir, `${runId}-${id}.gguf`);
      try {
        await copyFile(made.location, `${file}.partial`);
        const sha = await fileSha256(`${file}.partial`);
        if (sha !== made.sha256)
          throw new PlaneError(
            409,
            `the model of run ${runId} at ${made.location} has changed since the run reported it (sha256 ${sha.slice(0, 12)}…)`,
          );
        await rename(`${file}.partial`, file);
        await writeFile(file.replace(/\.gguf$/, ".md"), await this.card(run, t, made, by));
        const cfg = this.configOf(t, file, made.kind);
        return await this.change(t, cfg, { id, market, model_id: t.model, action: "promote", run_id: runId, file, kind: made.kind, by });
      } catch (err) {
        for (const f of [`${file}.partial`, file, file.replace(/\.gguf$/, ".md")]) await rm(f, { force: true });
        throw err;
      }
    });
  }

  /** Serves again what `model` served in `market` before its last promotion still in force. */
  rollback(market: string, model: string | undefined, by: string): Promise<PromotionView> {
    return this.serial(async () => {
      const t = this.target(market, model);
      const stack = inForce(await this.o.store.promotionsOf(market, t.model));
      const undone = stack.pop();
      if (!undone) throw new PlaneError(409, `nothing to roll back: market ${market} serves ${t.model} as the server was started with it`);
      const back = stack.at(-1);
      const cfg = back?.file ? this.configOf(t, back.file, back.kind) : t.shipped;
      return this.change(t, cfg, {
        id: promotionId(),
        market,
        model_id: t.model,
        action: "rollback",
        run_id: back?.runId ?? null,
        file: back?.file ?? null,
        kind: back?.kind ?? null,
        by,
      });
    });
  }

  /**
   * Serves `cfg` under the target's id and records the change; one that cannot be recorded is undone, so what an id
   * serves is always what its newest row says (and what a restart serves again). A file that cannot be served
   * changes nothing (422).
   */
  private async change(t: Target, cfg: LlamaCppModelConfig, row: Omit<PromotionRow, "at">): Promise<PromotionView> {
    const before = t.provider.served(t.model)!;
    await this.serveAs(t, cfg).catch((err: Error) => {
      throw new PlaneError(
        422,
        `${row.run_id ? `the model of run ${row.run_id}` : "the model the server started with"} cannot be served as ${t.model}: ${err.message}`,
      );
    });
    // Strictly after the id's newest change, so its changes keep their order within a millisecond too.
    const newest = (await this.o.store.promotionsOf(t.market, t.model))[0]?.at ?? 0;
    const recorded: PromotionRow = { ...row, at: Math.max(Date.now(), newest + 1) };
    try {
      await this.o.store.recordPromotion(recorded);
    } catch (err) {
      await this.serveAs(t, before).catch(() => {});
      throw err;
    }
    await this.o
      .audit(recorded.market, {
        actor: recorded.by,
        action: `model.${recorded.action}`,
        target: recorded.model_id,
        detail: { runId: recorded.run_id, promotion: recorded.id },
      })
      .catch((err: Error) => this.o.warn(`promotion ${recorded.id} is not in market ${recorded.market}'s admin audit: ${err.message}`));
    return viewOf(recorded);
  }

  /**
   * The promoted copy's model card: the front matter of the card it replaces (what the market's model answers, in
   * which languages), then where it came from and what its region measured.
   */
  private async card(run: RunRow, t: Target, made: RunModel, by: string): Promise<string> {
    const before = this.o.set.localModels.get(t.key)?.card;
    const scores = await this.o.store.scores(run.id);
    return [
      ...(before ? ["---", stringify(before).trimEnd(), "---", ""] : []),
      `# ${t.model} in market ${t.market}: run ${run.id}`,
      "",
      `Promoted ${new Date().toISOString()} by ${by}: the ${made.kind === "adapter" ? "LoRA adapter" : "model"} of run ${run.id} (recipe ${run.recipe}, dataset ${run.dataset}, ${run.step} steps), sha256 ${made.sha256}.`,
      ...(scores.length
        ? [
            "",
            "Scores, measured in the run's region:",
            "",
            "| score | value | n |",
            "| --- | --- | --- |",
            ...scores.map((x) => `| ${x.name} | ${x.value} | ${x.count ?? ""} |`),
          ]
        : []),
      "",
    ].join("\n");
  }

  async list(): Promise<PromotionList> {
    const serving = (await this.o.store.latestPromotions()).map((r) => ({
      market: r.market,
      model: r.model_id,
      runId: r.run_id,
      since: r.at,
    }));
    return { promotions: (await this.o.store.promotions()).map(viewOf), serving };
  }

  /** At start: each promoted id serves what its newest promotion or rollback left it serving. */
  async restore(): Promise<void> {
    for (const latest of await this.o.store.latestPromotions()) {
      if (!latest.file) continue;
      let t: Target;
      try {
        t = this.target(latest.market, latest.model_id);
      } catch (err) {
        this.o.warn(`market ${latest.market} no longer serves the promoted ${latest.model_id}: ${(err as Error).message}`);
        continue;
      }
      await this.serveAs(t, this.configOf(t, latest.file, latest.kind as RunModel["kind"])).catch((err: Error) =>
        this.o.warn(`run ${latest.run_id}'s model promoted to ${latest.model_id} in ${latest.market} is not served: ${err.message}`),
      );
    }
  }
}

/** The promotions of one id in force, oldest first: each promotion stacks, each rollback takes the newest off. */
function inForce(rowsNewestFirst: readonly PromotionRow[]): Array<{ runId: string; file: string; kind: RunModel["kind"] }> {
  const stack: Array<{ runId: string; file: string; kind: RunModel["kind"] }> = [];
  for (const r of [...rowsNewestFirst].reverse()) {
    if (r.action === "rollback") stack.pop();
    else if (r.run_id && r.file) stack.push({ runId: r.run_id, file: r.file, kind: r.kind as RunModel["kind"] });
  }
  return stack;
}

/**
 * Operators promote a finished run's model (POST /control/v1/runs/:id/promote), roll a market's model id back
 * (POST /control/v1/promotions/rollback) and read the audit (GET /control/v1/promotions).
 */
export function registerPromotionRoutes(app: FastifyInstance, promotions: ModelPromotions): void {
  const by = (request: FastifyRequest) => request.principal?.name ?? "operator";
  const answer = async (reply: FastifyReply, work: () => Promise<unknown>, status = 200) => {
    try {
      return reply.code(status).send(await work());
    } catch (err) {
      if (!(err instanceof PlaneError)) throw err;
      return reply.code(err.status).send({ error: { message: err.message } } satisfies ControlError);
    }
  };
  app.post("/control/v1/runs/:id/promote", access("admin"), (request, reply) =>
    answer(
      reply,
      () => {
        const { market, model } = parseControlBody(promoteRun, request.body);
        return promotions.promote((request.params as { id: string }).id, market, model, by(request));
      },
      201,
    ),
  );
  app.post("/control/v1/promotions/rollback", access("admin"), (request, reply) =>
    answer(
      reply,
      () => {
        const { market, model } = parseControlBody(rollbackModel, request.body);
        return promotions.rollback(market, model, by(request));
      },
      201,
    ),
  );
  app.get("/control/v1/promotions", access("admin"), (_request, reply) => answer(reply, () => promotions.list()));
}
