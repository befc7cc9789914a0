import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { json, startFake, type FakeServer } from "./server.ts";

/**
 * A loopback server speaking the part of the Kubernetes API that benih's Job executor uses (batch/v1 Jobs; core/v1
 * pods and their logs), as documented: bearer-token auth, `Status` error objects (401, 404 NotFound, 409
 * AlreadyExists, 422 Invalid), label selectors, propagation policies, and a graceful deletion that sends SIGTERM,
 * then SIGKILL after the grace period. Its "kubelet" runs a pod's container command as a process on this machine:
 * no image is pulled, and `entrypoints` says what runs for a command's first word (e.g. benih → node bin/benih.mjs).
 * A pod whose nodeSelector names no known node stays Pending, as on a real cluster.
 */
export interface FakeKubernetesOptions {
  token: string;
  nodes: string[];
  entrypoints: Record<string, string[]>;
  /** Seconds between SIGTERM and SIGKILL when a pod is deleted (Kubernetes defaults to 30). */
  gracePeriodSeconds?: number;
}

interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  container: string;
  node: string | undefined;
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  startedAt?: string;
  exitCode?: number;
  log: string;
  process?: ChildProcess;
}

interface Job {
  namespace: string;
  manifest: any;
  uid: string;
  created: string;
  pod: Pod;
  deleted?: boolean;
}

export interface FakeKubernetes extends FakeServer {
  jobs(): Array<{ name: string; namespace: string; manifest: any; phase: string; deleted: boolean }>;
}

const status = (res: ServerResponse, code: number, reason: string, message: string) =>
  json(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });

const matches = (labels: Record<string, string>, selector: string | null) =>
  !selector ||
  selector.split(",").every((term) => {
    const [k, v] = term.split(/==?/);
    return labels[k!.trim()] === v?.trim();
  });

export async function startFakeKubernetes(o: FakeKubernetesOptions): Promise<FakeKubernetes> {
  const jobs = new Map<string, Job>(); // by namespace/name
  const grace = (o.gracePeriodSeconds ?? 30) * 1000;

  const jobView = (j: Job) => {
    const p = j.pod;
    const s: Record<string, unknown> = {};
    if (p.startedAt) s.startTime = p.startedAt;
    if (p.phase === "Running" || p.phase === "Pending") s.active = 1;
    if (p.phase === "Succeeded")
      Object.assign(s, { succeeded: 1, completionTime: new Date().toISOString(), conditions: [{ type: "Complete", status: "True" }] });
    if (p.phase === "Failed")
      Object.assign(s, {
        failed: 1,
        conditions: [
          { type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" },
        ],
      });
    return {
      ...j.manifest,
      metadata: { ...j.manifest.metadata, namespace: j.namespace, uid: j.uid, creationTimestamp: j.created },
      status: s,
    };
  };
  const podView = (p: Pod) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    spec: { nodeName: p.node },
    status: {
      phase: p.phase,
      containerStatuses: [
        {
          name: p.container,
          state:
            p.exitCode !== undefined
              ? { terminated: { exitCode: p.exitCode, reason: p.exitCode === 0 ? "Completed" : "Error" } }
              : p.phase === "Running"
                ? { running: { startedAt: p.startedAt } }
                : { waiting: { reason: "ContainerCreating" } },
        },
      ],
    },
  });

  function run(j: Job): void {
    const spec = j.manifest.spec.template.spec;
    const node = Object.values((spec.nodeSelector ?? {}) as Record<string, string>)[0] ?? o.nodes[0];
    if (!node || !o.nodes.includes(node)) return; // unschedulable: stays Pending
    const c = spec.containers[0];
    const [first, ...rest] = [...(c.command ?? []), ...(c.args ?? [])] as string[];
    const argv = [...(o.entrypoints[first!] ?? [first!]), ...rest];
    const env = Object.fromEntries(((c.env ?? []) as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    const p = j.pod;
    p.node = node;
    p.phase = "Running";
    p.startedAt = new Date().toISOString();
    p.process = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    for (const s of [p.process.stdout!, p.process.stderr!]) s.on("data", (d: Buffer) => (p.log += d.toString()));
    p.process.on("close", (code, signal) => {
      p.exitCode = signal ? 128 + (signal === "SIGKILL" ? 9 : 15) : (code ?? 1);
      p.phase = p.exitCode === 0 ? "Succeeded" : "Failed";
      p.process = undefined;
    });
  }

  function terminate(p: Pod): void {
    const proc = p.process;
    if (!proc) return;
    proc.kill("SIGTERM");
    setTimeout(() => proc.exitCode === null && proc.signalCode === null && proc.kill("SIGKILL"), grace).unref();
  }

  const server = await startFake(async (req, res, body) => {
    if (req.headers.authorization !== `Bearer ${o.token}`) return status(res, 401, "Unauthorized", "Unauthorized");
    const url = new URL(req.url ?? "/", "http://k8s");
    const selector = url.searchParams.get("labelSelector");
    let m: RegExpExecArray | null;
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(url.pathname))) {
      const ns = m[1]!;
      if (req.method === "GET") {
        const items = [...jobs.values()]
          .filter((j) => j.namespace === ns && !j.deleted && matches(j.manifest.metadata.labels ?? {}, selector))
          .map(jobView);
        return json(res, 200, { apiVersion: "batch/v1", kind: "JobList", metadata: {}, items });
      }
      if (req.method !== "POST") return status(res, 405, "MethodNotAllowed", `${req.method} is not supported`);
      const name = body?.metadata?.name as string | undefined;
      const spec = body?.spec?.template?.spec;
      const problems: string[] = [];
      if (body?.apiVersion !== "batch/v1" || body?.kind !== "Job") problems.push("kind: must be Job in batch/v1");
      if (!name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
        problems.push(
          `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
        );
      if (!["Never", "OnFailure"].includes(spec?.restartPolicy))
        problems.push(
          `spec.template.spec.restartPolicy: Unsupported value: "${spec?.restartPolicy}": supported values: "OnFailure", "Never"`,
        );
      if (!spec?.containers?.length || !spec.containers[0].image) problems.push("spec.template.spec.containers[0].image: Required value");
      if (problems.length) return status(res, 422, "Invalid", `Job.batch "${name}" is invalid: ${problems.join(", ")}`);
      const key = `${ns}/${name}`;
      if (jobs.get(key) && !jobs.get(key)!.deleted) return status(res, 409, "AlreadyExists", `jobs.batch "${name}" already exists`);
      const labels = { ...(body.spec.template.metadata?.labels ?? {}), "job-name": name!, "batch.kubernetes.io/job-name": name! };
      const pod: Pod = {
        name: `${name}-${randomUUID().slice(0, 5)}`,
        namespace: ns,
        labels,
        container: spec.containers[0].name,
        node: undefined,
        phase: "Pending",
        log: "",
      };
      const j: Job = { namespace: ns, manifest: body, uid: randomUUID(), created: new Date().toISOString(), pod };
      jobs.set(key, j);
      run(j);
      return json(res, 201, jobView(j));
    }
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname))) {
      const j = jobs.get(`${m[1]}/${m[2]}`);
      if (!j || j.deleted) return status(res, 404, "NotFound", `jobs.batch "${m[2]}" not found`);
      if (req.method === "GET") return json(res, 200, jobView(j));
      if (req.method !== "DELETE") return status(res, 405, "MethodNotAllowed", `${req.method} is not supported`);
      const policy = url.searchParams.get("propagationPolicy") ?? body?.propagationPolicy ?? "Orphan"; // batch/v1 Jobs orphan their pods by default
      j.deleted = true;
      if (policy !== "Orphan") terminate(j.pod);
      return json(res, 200, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        details: { name: m[2], group: "batch", kind: "jobs", uid: j.uid },
      });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname)) && req.method === "GET") {
      const items = [...jobs.values()]
        .filter((j) => j.namespace === m![1] && !(j.deleted && !j.pod.process) && matches(j.pod.labels, selector))
        .map((j) => podView(j.pod));
      return json(res, 200, { apiVersion: "v1", kind: "PodList", metadata: {}, items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname)) && req.method === "GET") {
      const pod = [...jobs.values()].map((j) => j.pod).find((p) => p.namespace === m![1] && p.name === m![2]);
      if (!pod) return status(res, 404, "NotFound", `pods "${m[2]}" not found`);
      const container = url.searchParams.get("container");
      if (container && container !== pod.container)
        return status(res, 400, "BadRequest", `container ${container} is not valid for pod ${pod.name}`);
      if (pod.phase === "Pending")
        return status(res, 400, "BadRequest", `container "${pod.container}" in pod "${pod.name}" is waiting to start: ContainerCreating`);
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end(pod.log);
    }
    return status(res, 404, "NotFound", "the server could not find the requested resource");
  });

  return {
    ...server,
    jobs: () =>
      [...jobs.entries()].map(([key, j]) => ({
        name: key.split("/")[1]!,
        namespace: j.namespace,
        manifest: j.manifest,
        phase: j.pod.phase,
        deleted: !!j.deleted,
      })),
    close: async () => {
      for (const j of jobs.values()) j.pod.process?.kill("SIGKILL");
      await server.close();
    },
  };
}
