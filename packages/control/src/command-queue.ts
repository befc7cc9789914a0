import { type AgentCommand, type Signals, signalChannels } from "@benih/contracts";
import type { TrainingStore } from "@benih/store";

type Queued = Awaited<ReturnType<TrainingStore["takeCommands"]>>[number];

/** How long this instance keeps listening for a cluster's commands after its agent last polled here. */
const LISTEN_IDLE_MS = 120_000;

export interface CommandQueueOptions {
  store: TrainingStore;
  /** How the instances sharing the store wake each other's long polls. */
  signals: Signals;
  now: () => Date;
  /** How often the agents waiting here are reported alive (`onWaiting`). */
  everyMs: number;
  /** Called for each cluster whose agent waits in a long poll here, every `everyMs`: it is alive. */
  onWaiting: (clusterId: string, now: number) => void;
}

/**
 * The commands queued in the store for each cluster's agent, and the long polls waiting here for them: a command
 * queued on any instance wakes the poll of its cluster on whichever instance it waits.
 */
export class CommandQueue {
  /** The long polls waiting on this instance, by cluster. */
  private readonly waits = new Map<string, Wait>();
  /** The signal channels this instance listens on, by cluster, and when their agent last polled here. */
  private readonly listening = new Map<string, { ready: Promise<() => Promise<void>>; lastPoll: number }>();
  /** Signals received per cluster: a poll compares before and after it reads the queue. */
  private readonly signalled = new Map<string, number>();
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly o: CommandQueueOptions) {}

  /** A cluster's queued commands, or the next to arrive within `waitMs` (a long poll); none once `signal` aborts. */
  async next(clusterId: string, waitMs: number, signal?: AbortSignal): Promise<AgentCommand[]> {
    if (waitMs > 0) await this.listen(clusterId);
    const signalled = this.signalled.get(clusterId) ?? 0;
    const queued = await this.take(clusterId);
    if (queued.length || waitMs <= 0 || signal?.aborted) return this.deliver(clusterId, queued, signal);
    this.waits.get(clusterId)?.end();
    const wait: Wait = new Wait(
      () => this.take(clusterId),
      waitMs,
      signal,
      () => {
        if (this.waits.get(clusterId) === wait) this.waits.delete(clusterId);
      },
    );
    this.waits.set(clusterId, wait);
    this.keepWaitsAlive();
    // A signal that came while the queue was read found no one waiting: look again.
    if ((this.signalled.get(clusterId) ?? 0) !== signalled) wait.wake();
    return this.deliver(clusterId, await wait.done, signal);
  }

  /** Whether an agent waits in a long poll here for this cluster's commands. */
  waiting(clusterId: string): boolean {
    return this.waits.has(clusterId);
  }

  /** Queues a command for the agent of a cluster, and wakes its long poll on whichever instance it waits. */
  async send(clusterId: string, cmd: AgentCommand): Promise<void> {
    await this.o.store.queueCommand(clusterId, JSON.stringify(cmd), this.o.now().getTime());
    await this.wake(clusterId);
  }

  /** Wakes the long poll of a cluster whose command was queued (by `send`, or with a run it started). */
  async wake(clusterId: string): Promise<void> {
    // Only a hint: an agent not woken finds the command when it next polls.
    await this.o.signals.publish(signalChannels.agentCommands(clusterId), "").catch(() => {});
  }

  /** Ends the long polls waiting here and stops listening; the store and signals stay open (their owner closes them). */
  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    for (const w of [...this.waits.values()]) w.end();
    const channels = [...this.listening.values()];
    this.listening.clear();
    await Promise.all(channels.map((l) => l.ready.then((stop) => stop()).catch(() => {})));
  }

  /** The commands queued for a cluster, taken from the store (each goes to one poll only). */
  private take(clusterId: string): Promise<Queued[]> {
    return this.o.store.takeCommands(clusterId);
  }

  /**
   * What was taken for a poll, for it to return; when its agent hung up meanwhile, nothing, and what was taken
   * goes back to the queue in the place it had (before what was queued since) for the agent's next poll.
   */
  private async deliver(clusterId: string, taken: Queued[], signal?: AbortSignal): Promise<AgentCommand[]> {
    if (taken.length && signal?.aborted) {
      await this.o.store.putBackCommands(clusterId, taken);
      return [];
    }
    return taken.map((c) => JSON.parse(c.command) as AgentCommand);
  }

  /** Listens for the signal that a command was queued for a cluster, once per cluster while its agent polls here. */
  private async listen(clusterId: string): Promise<void> {
    const now = Date.now(); // real time, as the timer that lets idle channels go
    let l = this.listening.get(clusterId);
    if (!l) {
      const ready = this.o.signals.subscribe(signalChannels.agentCommands(clusterId), () => {
        this.signalled.set(clusterId, (this.signalled.get(clusterId) ?? 0) + 1);
        this.waits.get(clusterId)?.wake();
      });
      l = { ready, lastPoll: now };
      this.listening.set(clusterId, l);
      ready.catch(() => this.listening.get(clusterId) === l && this.listening.delete(clusterId));
    }
    l.lastPoll = now;
    await l.ready;
  }

  /**
   * While agents wait in long polls here, they are reported alive (a waiting agent is alive: its connection is
   * open, and kill -9 closes it, which ends the wait), and channels of agents that stopped polling here are let go.
   */
  private keepWaitsAlive(): void {
    if (this.keepAlive) return;
    this.keepAlive = setInterval(
      () => {
        const now = this.o.now().getTime();
        for (const clusterId of this.waits.keys()) this.o.onWaiting(clusterId, now);
        for (const [clusterId, l] of this.listening)
          if (!this.waits.has(clusterId) && Date.now() - l.lastPoll > LISTEN_IDLE_MS) {
            this.listening.delete(clusterId);
            this.signalled.delete(clusterId);
            void l.ready.then((stop) => stop()).catch(() => {});
          }
        if (!this.waits.size && !this.listening.size) {
          clearInterval(this.keepAlive);
          this.keepAlive = undefined;
        }
      },
      Math.max(100, this.o.everyMs),
    );
    this.keepAlive.unref();
  }
}

/** One long poll waiting for a cluster's commands: looks in the queue each time it is woken, until it has some. */
class Wait {
  /** What it took: commands, or none when it timed out or was ended. */
  readonly done: Promise<Queued[]>;
  private resolve!: (taken: Queued[]) => void;
  private reject!: (err: unknown) => void;
  private settled = false;
  private looking = false;
  private again = false;
  private ending = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly take: () => Promise<Queued[]>,
    waitMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onSettled: () => void,
  ) {
    this.done = new Promise<Queued[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(this.end, waitMs);
    signal?.addEventListener("abort", this.end, { once: true });
  }

  /** Looks in the store again (a signal came). */
  readonly wake = (): void => void this.look();

  /** Ends the poll with nothing; a look under way finishes first: it may have taken commands, which go to this poll. */
  readonly end = (): void => {
    if (this.looking) this.ending = true;
    else this.finish([]);
  };

  private async look(): Promise<void> {
    if (this.settled) return;
    if (this.looking) {
      this.again = true;
      return;
    }
    this.looking = true;
    try {
      let taken: Queued[] = [];
      do {
        this.again = false;
        taken = await this.take();
      } while (!taken.length && this.again && !this.ending);
      this.looking = false;
      if (taken.length || this.ending) this.finish(taken);
    } catch (err) {
      this.looking = false;
      if (this.settle()) this.reject(err);
    }
  }

  private finish(taken: Queued[]): void {
    if (this.settle()) this.resolve(taken);
  }

  /** Stops waiting; false if it had already stopped. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this.end);
    this.onSettled();
    return true;
  }
}
