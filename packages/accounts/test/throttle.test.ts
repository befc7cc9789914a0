import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedisFailureLog, SignInThrottle } from "@benih/accounts";
import { redisForTest } from "@benih/store/testing";

// Failed sign-ins counted by every instance alike (Redis), so that three instances behind a load balancer do not
// give a guesser three times the attempts; and still counted, per instance, while Redis is away.
const redisUrl = "redis://127.0.0.1:6379/9";
const refused = (p: Promise<void>) =>
  p.then(
    () => false,
    (err: { status?: number }) => err.status === 429,
  );

describe("the sign-in throttle", () => {
  it("counts failures on one instance against the others, through Redis", async (t) => {
    const noRedis = await redisForTest(redisUrl);
    if (noRedis) return t.skip(noRedis);
    const logs = [RedisFailureLog.open(redisUrl, assert.fail), RedisFailureLog.open(redisUrl, assert.fail)];
    const [a, b] = logs.map((l) => new SignInThrottle(l));
    try {
      for (let i = 0; i < 5; i++) await (i % 2 ? a! : b!).failed("ana@example.com", `10.0.0.${i}`);
      assert.equal(await refused(a!.check("ana@example.com", "10.0.0.9")), true, "five failures across two instances");
      assert.equal(await refused(b!.check("ana@example.com", "10.0.0.9")), true);
      assert.equal(await refused(b!.check("budi@example.com", "10.0.0.9")), false, "another account is not held back");
      await a!.succeeded("ana@example.com");
      assert.equal(await refused(b!.check("ana@example.com", "10.0.0.9")), false, "a right password clears it everywhere");
    } finally {
      for (const l of logs) l.close();
    }
  });

  it("still throttles, in this process, while Redis cannot be reached", async () => {
    const log = RedisFailureLog.open("redis://127.0.0.1:1/0", () => {});
    const throttle = new SignInThrottle(log);
    try {
      for (let i = 0; i < 5; i++) await throttle.failed("ana@example.com", "10.0.0.1");
      assert.equal(await refused(throttle.check("ana@example.com", "10.0.0.2")), true);
    } finally {
      log.close();
    }
  });
});
