// The deployment kit: the Helm chart rendered by a real Helm (the binary an npm package ships, see packages below)
// with its own values and with every optional part on, each object validated against Kubernetes' published schemas;
// the Dockerfile starting what CI's smoke test starts; compose.yaml and HAProxy wired to the same instances.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import JSZip from "jszip";
import { parse, parseAllDocuments } from "yaml";
import { parseConfig } from "../src/config/load.ts";

const root = resolve(import.meta.dirname, "../../..");
const chart = join(root, "deploy/helm/benih");
const ciValues = join(chart, "ci-values.yaml");

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

// Helm itself, from the AWS CDK's kubectl layer package (a linux-x64 build, in a zip): Go's text/template and Sprig
// as `helm template` runs them, offline.
const helmRuns = process.platform === "linux" && process.arch === "x64";
let work = "";
let helm = "";

before(async () => {
  if (!helmRuns) return;
  work = mkdtempSync(join(tmpdir(), "benih-helm-"));
  const layer = createRequire(import.meta.url).resolve("@aws-cdk/asset-kubectl-v20/lib/layer.zip");
  const zip = await JSZip.loadAsync(readFileSync(layer));
  const binary = zip.file("helm/helm");
  assert.ok(binary, "the kubectl layer package no longer ships helm/helm");
  helm = join(work, "helm");
  writeFileSync(helm, await binary.async("nodebuffer"));
  chmodSync(helm, 0o755);
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runHelm(args: string[]) {
  const r = spawnSync(helm, args, {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: work, HELM_CACHE_HOME: work, HELM_CONFIG_HOME: work, HELM_DATA_HOME: work },
  });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

/** `helm template` with values.yaml and these files over it; a template's `fail` or a parse error fails the test. */
function render(...valueFiles: string[]): K8sObject[] {
  const r = runHelm(["template", "benih", chart, "--namespace", "benih", ...valueFiles.flatMap((f) => ["-f", f])]);
  assert.ok(r.ok, `helm template failed: ${r.err}`);
  return parseAllDocuments(r.out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The object with every read the validator makes recorded, to find the fields no schema knows. */
function tracked(value: unknown, reads: Map<object, Set<PropertyKey>>): unknown {
  if (!value || typeof value !== "object") return value;
  const target = value as object;
  const seen = reads.get(target) ?? new Set<PropertyKey>();
  reads.set(target, seen);
  return new Proxy(target, {
    get(t, key, receiver) {
      seen.add(key);
      return tracked(Reflect.get(t, key, receiver), reads);
    },
  });
}

function unknownFields(value: unknown, reads: Map<object, Set<PropertyKey>>, path: string): string[] {
  if (!value || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, reads, `${path}[${i}]`));
  const seen = reads.get(value);
  return Object.entries(value).flatMap(([k, v]) =>
    // A subtree the validator never entered was already reported as an error, or has no schema below it.
    seen && !seen.has(k) ? [`${path}.${k}`] : unknownFields(v, reads, `${path}.${k}`),
  );
}

/** Problems with one object: its schema's errors (types, required fields, formats), then fields it does not know. */
async function problems(o: K8sObject): Promise<string[]> {
  const name = `${o.kind} ${o.metadata?.name}`;
  let model: { prototype: { validate(): void } } | undefined;
  try {
    model = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`))[o.kind];
  } catch {}
  if (!model) return [`${name}: no Kubernetes schema for ${o.apiVersion} ${o.kind}`];
  const reads = new Map<object, Set<PropertyKey>>();
  try {
    model.prototype.validate.call(tracked(o, reads));
  } catch (err) {
    return [`${name}: ${(err as Error).message}`];
  }
  return unknownFields(o, reads, "").map((field) => `${name}: unknown field ${field.slice(1)}`);
}

async function assertValid(objects: K8sObject[]) {
  const found = (await Promise.all(objects.map(problems))).flat();
  assert.deepEqual(found, [], found.join("\n"));
}

const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const server = (objects: K8sObject[]) => {
  const found = of(objects, "Deployment").filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "server");
  assert.equal(found.length, 1, "one server Deployment");
  return found[0]!;
};
const valuesOf = (file: string) => parse(readFileSync(file, "utf8"));
const hostsOf = (values: any): string[] => values.markets.flatMap((m: { hosts: string[] }) => m.hosts);

describe("the Helm chart", { skip: !helmRuns && "the Helm binary shipped for these tests is a linux-x64 build" }, () => {
  const defaults = valuesOf(join(chart, "values.yaml"));
  const everything = { ...defaults, ...valuesOf(ciValues) };

  for (const [label, files, values] of [
    ["values.yaml", [], defaults],
    ["ci-values.yaml (every optional part on)", [ciValues], everything],
  ] as const) {
    test(`renders valid Kubernetes objects with ${label}`, async () => {
      const objects = render(...files);
      await assertValid(objects);
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ["Deployment", "Service", "Ingress", "ConfigMap"]) assert.ok(kinds.has(kind), `no ${kind} rendered`);

      const pod = server(objects).spec.template.spec;
      const container = pod.containers.find((c: { name: string }) => c.name === "server");
      assert.equal(container.livenessProbe.httpGet.path, "/health");
      assert.equal(container.readinessProbe.httpGet.path, "/ready");
      const port = container.ports.find((p: { name: string }) => p.name === container.readinessProbe.httpGet.port);
      assert.equal(port?.containerPort, values.port, "the probes reach the port the server listens on");
      assert.equal(container.env.find((e: { name: string }) => e.name === "PORT").value, String(values.port));

      const ingress = of(objects, "Ingress")[0]!;
      const ruled = ingress.spec.rules.map((r: { host: string }) => r.host);
      assert.deepEqual([...ruled].sort(), [...new Set(hostsOf(values))].sort(), "the Ingress routes every market host");
      const service = of(objects, "Service")[0]!;
      for (const rule of ingress.spec.rules) assert.equal(rule.http.paths[0].backend.service.name, service.metadata.name);

      // benih.yaml is what the server validates at start: it must load, and the pods must outlive its shutdown.
      const configMap = of(objects, "ConfigMap")[0]!;
      const tokenEnv = Object.fromEntries(
        container.env
          .filter((e: { name: string }) => e.name.startsWith("BENIH_AGENT_TOKEN_"))
          .map((e: { name: string }) => [e.name, "t".repeat(24)]),
      );
      const config = parseConfig(configMap.data["benih.yaml"], "benih.yaml", tokenEnv);
      assert.deepEqual(
        config.markets.map((m) => m.hosts),
        values.markets.map((m: { hosts: string[] }) => m.hosts),
      );
      const { drainSeconds, graceSeconds } = config.server.shutdown;
      assert.ok(pod.terminationGracePeriodSeconds > drainSeconds + graceSeconds, "terminationGracePeriodSeconds above drain + grace");
      const mounted = pod.volumes.find((v: { configMap?: { name: string } }) => v.configMap?.name === configMap.metadata.name);
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === mounted?.name);
      assert.equal(`${mount?.mountPath}/benih.yaml`, container.env.find((e: { name: string }) => e.name === "BENIH_CONFIG").value);
    });
  }

  test("with every optional part on, autoscaling, disruption budget, models and regional agents are wired up", () => {
    const objects = render(ciValues);
    const deployment = server(objects);
    assert.equal(deployment.spec.replicas, undefined, "the autoscaler owns the replica count");
    const hpa = of(objects, "HorizontalPodAutoscaler")[0]!;
    assert.equal(hpa.apiVersion, "autoscaling/v2");
    assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
    const pdb = of(objects, "PodDisruptionBudget")[0]!;
    assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);

    const pod = deployment.spec.template.spec;
    const env = (c: { env: Array<{ name: string; value?: string; valueFrom?: any }> }, name: string) => c.env.find((e) => e.name === name);
    const container = pod.containers[0];
    const modelsClaim = pod.volumes.find((v: { name: string }) => v.name === "models").persistentVolumeClaim.claimName;
    assert.ok(of(objects, "PersistentVolumeClaim").some((c) => c.metadata.name === modelsClaim));
    assert.equal(env(container, "BENIH_MODELS_DIR")?.value, "/models");

    const service = of(objects, "Service")[0]!;
    // The server's secret references match the chart's Secret keys.
    const secret = of(objects, "Secret")[0]!;
    for (const [name, key] of [
      ["BENIH_ADMIN_KEY", "admin-key"],
      ["DATABASE_URL", "database-url"],
      ["REDIS_URL", "redis-url"],
      ["BENIH_SECRET", "benih-secret"],
    ]) {
      assert.deepEqual(env(container, name!)?.valueFrom.secretKeyRef, { name: secret.metadata.name, key, optional: true });
      assert.ok(secret.stringData[key!], `the Secret has ${key}`);
    }

    // Each region's agent and the server read that region's token from the same secret key.
    const regions = everything.agents.regions as Array<{ name: string; controlPlaneUrl?: string }>;
    const agents = of(objects, "Deployment").filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "agent");
    const regionOf = (agent: K8sObject) => agent.metadata.labels?.["benih.dev/region"] ?? "";
    assert.deepEqual(agents.map(regionOf).sort(), regions.map((r) => r.name).sort());
    for (const agent of agents) {
      const region = regionOf(agent);
      const c = agent.spec.template.spec.containers[0];
      assert.deepEqual(c.args.slice(0, 3), ["agent", "--region", region]);
      const serverToken = env(container, `BENIH_AGENT_TOKEN_${region.toUpperCase().replaceAll("-", "_")}`);
      assert.deepEqual(env(c, "BENIH_AGENT_TOKEN")?.valueFrom, serverToken?.valueFrom);
      const ref = serverToken!.valueFrom.secretKeyRef;
      if (ref.name === secret.metadata.name) assert.ok(secret.stringData[ref.key].length >= 16);
      const inCluster = `http://${service.metadata.name}.benih.svc:${service.spec.ports[0].port}`;
      assert.equal(env(c, "BENIH_CONTROL_PLANE")?.value, regions.find((r) => r.name === region)!.controlPlaneUrl ?? inCluster);
    }
  });

  test("a value that makes an invalid object fails validation", async () => {
    const problemsWith = async (values: string) => {
      const file = join(work, "broken.yaml");
      writeFileSync(file, values);
      return (await Promise.all(render(file).map(problems))).flat();
    };
    const wrongType = await problemsWith('port: "http"\n');
    assert.ok(
      wrongType.some((p) => p.startsWith("Deployment benih:") && p.includes("/containerPort must be integer")),
      wrongType.join("\n"),
    );
    const typo = await problemsWith("extraEnv: [{ name: OPENAI_API_KEY, valu: sk-typo }]\n");
    assert.ok(
      typo.some((p) => /^Deployment benih: unknown field spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.valu$/.test(p)),
      typo.join("\n"),
    );
  });

  test("refuses what would start but not work: several replicas on SQLite, hosts an Ingress cannot carry", () => {
    const sqlite = join(work, "sqlite.yaml");
    writeFileSync(sqlite, "replicaCount: 2\n");
    assert.match(runHelm(["template", "benih", chart, "-f", sqlite]).err, /need secrets\.databaseUrl \(PostgreSQL\)/);
    const address = join(work, "address.yaml");
    writeFileSync(address, "markets: [{ id: global, hosts: [127.0.0.1] }]\n");
    assert.match(runHelm(["template", "benih", chart, "-f", address]).err, /host "127.0.0.1" cannot be an Ingress rule/);
  });

  test("passes helm lint --strict with both values files", () => {
    for (const files of [[], ["-f", ciValues]]) {
      const r = runHelm(["lint", "--strict", chart, ...files]);
      assert.ok(r.ok, r.out + r.err);
    }
  });
});

/** The final stage's instructions of a Dockerfile, continuation lines joined. */
function finalStage(dockerfile: string): Array<{ op: string; args: string }> {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n");
  const stages: Array<Array<{ op: string; args: string }>> = [];
  for (const line of lines) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    const op = m[1]!.toUpperCase();
    if (op === "FROM") stages.push([]);
    stages.at(-1)?.push({ op, args: m[2]!.trim() });
  }
  return stages.at(-1) ?? [];
}

const execForm = (args: string): string[] => {
  const parsed = JSON.parse(args);
  assert.ok(Array.isArray(parsed), `use the exec form (a JSON array), not a shell string: ${args}`);
  return parsed;
};

describe("the Dockerfile", () => {
  const stage = finalStage(readFileSync(join(root, "Dockerfile"), "utf8"));
  const last = (op: string) => stage.filter((i) => i.op === op).at(-1)?.args;

  test("starts the server with the command CI's smoke test starts", () => {
    const smoke = readFileSync(join(root, ".ci/smoke"), "utf8");
    const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
    const started = /\bnpm start\b/.test(smoke) ? scripts.start! : /node apps\/server\/bin\/benih\.mjs serve/.exec(smoke)?.[0];
    assert.ok(started, ".ci/smoke starts the server with `npm start` or `node apps/server/bin/benih.mjs serve`");
    const entrypoint = execForm(last("ENTRYPOINT") ?? "[]");
    const cmd = execForm(last("CMD") ?? "[]");
    assert.deepEqual([...entrypoint, ...cmd], started.split(/\s+/));
  });

  test("runs as a user other than root, listens where it says, and checks /health", () => {
    const user = last("USER");
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
    const port = /\bPORT=(\d+)/.exec(
      stage
        .filter((i) => i.op === "ENV")
        .map((i) => i.args)
        .join(" "),
    )?.[1];
    assert.equal(last("EXPOSE"), port);
    assert.match(last("HEALTHCHECK") ?? "", /\/health\b/);
  });
});

describe("compose.yaml", () => {
  const compose = parse(readFileSync(join(root, "compose.yaml"), "utf8"), { merge: true });
  const haproxy = readFileSync(join(root, "deploy/haproxy/haproxy.cfg"), "utf8");
  const benih = Object.entries<any>(compose.services).filter(([, s]) => s.build);

  test("runs two benih instances on one PostgreSQL and one Redis", () => {
    assert.equal(benih.length, 2);
    for (const [, s] of benih) {
      assert.match(s.environment.DATABASE_URL, /^postgres:\/\/[^@]+@postgres:5432\//);
      assert.equal(s.environment.REDIS_URL, "redis://redis:6379");
      assert.equal(s.environment.HOST, "0.0.0.0");
    }
    assert.match(compose.services.postgres.image, /^postgres:/);
    assert.match(compose.services.redis.image, /^redis:/);
  });

  test("puts HAProxy in front of exactly those instances, checking /ready", () => {
    const servers = [...haproxy.matchAll(/^\s*server\s+\S+\s+([\w-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(servers.sort(), benih.map(([name, s]) => `${name}:${s.environment.PORT}`).sort());
    assert.match(haproxy, /http-check send meth GET uri \/ready\b/);
    assert.match(haproxy, /^\s*option redispatch\b/m);
    const mounted = compose.services.haproxy.volumes.some((v: string) => v.startsWith("./deploy/haproxy/haproxy.cfg:"));
    assert.ok(mounted, "compose mounts deploy/haproxy/haproxy.cfg");
  });
});
