import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { json, startFake, type FakeServer } from "./server.ts";

/**
 * A loopback server speaking the part of the Kubernetes API that benih's Job executor uses (batch/v1 Jobs, Indexed
 * ones included; core/v1 pods, their logs, and Services), as documented: bearer-token auth, `Status` error objects
 * (401, 404 NotFound, 409 AlreadyExists, 422 Invalid), label selectors, propagation policies, and a graceful deletion
 * that sends SIGTERM, then SIGKILL after the grace period. Its "kubelet" runs a pod's container command as a
 * process on this machine, in the container's workingDir, with its env (values and the completion-index annotation
 * by fieldRef): no image is pulled, and `entrypoints` says what runs for a command's first word (e.g. benih → node
 * bin/benih.mjs). An Indexed Job gets one pod per completion index, each with JOB_COMPLETION_INDEX, the index
 * annotation and label, and hostname `<job>-<index>`. A pod whose nodeSelector names no known node stays Pending,
 * as on a real cluster.
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
  annotations: Record<string, string>;
  hostname?: string;
  /** What the kubelet ran, for tests: argv, working directory, environment from the manifest. */
  started?: { argv: string[]; cwd?: string; env: Record<string, string> };
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
  pods: Pod[];
  deleted?: boolean;
}

export interface FakeKubernetes extends FakeServer {
  jobs(): Array<{ name: string; namespace: string; uid: string; manifest: any; phase: string; deleted: boolean; pods: Pod[] }>;
  services(): Array<{ name: string; namespace: string; manifest: any }>;
}

const status = (res: ServerResponse, code: number, reason: string, message: string) =>
  json(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });

const INDEX = "batch.kubernetes.io/job-completion-index";

const matches = (labels: Record<string, string>, selector: string | null) =>
  !selector ||
  selector.split(",").every((term) => {
    const [k, v] = term.split(/==?/);
    return labels[k!.trim()] === v?.trim();
  });

export async function startFakeKubernetes(o: FakeKubernetesOptions): Promise<FakeKubernetes> {
  const jobs = new Map<string, Job>(); // by namespace/name
  const services = new Map<string, { namespace: string; manifest: any }>(); // by namespace/name
  const grace = (o.gracePeriodSeconds ?? 30) * 1000;

  const jobView = (j: Job) => {
    const s: Record<string, unknown> = {};
    const count = (phase: Pod["phase"]) => j.pods.filter((p) => p.phase === phase).length;
    const started = j.pods.map((p) => p.startedAt).find(Boolean);
    if (started) s.startTime = started;
    const [active, succeeded, failed] = [count("Running") + count("Pending"), count("Succeeded"), count("Failed")];
    if (active) s.active = active;
    if (succeeded) s.succeeded = succeeded;
    if (succeeded === j.pods.length)
      Object.assign(s, { completionTime: new Date().toISOString(), conditions: [{ type: "Complete", status: "True" }] });
    if (failed)
      Object.assign(s, {
        failed,
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
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels, annotations: p.annotations },
    spec: { nodeName: p.node, ...(p.hostname && { hostname: p.hostname }) },
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

  /** A container's env as the kubelet resolves it: values, and fieldRefs to the pod's annotations and labels. */
  function envOf(c: any, p: Pod): Record<string, string> {
    const field = (path: string) => {
      const m = /^metadata\.(annotations|labels)\['([^']+)'\]$/.exec(path);
      return m ? (m[1] === "annotations" ? p.annotations : p.labels)[m[2]!] : undefined;
    };
    const env: Record<string, string> = {};
    for (const e of (c.env ?? []) as Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>)
      env[e.name] = e.value ?? field(e.valueFrom?.fieldRef?.fieldPath ?? "") ?? "";
    if (p.annotations[INDEX] !== undefined) env.JOB_COMPLETION_INDEX = p.annotations[INDEX]!;
    return env;
  }

  function run(j: Job, p: Pod, taken: Set<string>): void {
    const spec = j.manifest.spec.template.spec;
    const indexed = j.pods.length > 1;
    // Pods that must not share a node (anti-affinity on the Job's pods) take the known nodes in turn.
    const node = indexed
      ? o.nodes.find((n) => !taken.has(n))
      : (Object.values((spec.nodeSelector ?? {}) as Record<string, string>)[0] ?? o.nodes[0]);
    if (!node || !o.nodes.includes(node)) return; // unschedulable: stays Pending
    taken.add(node);
    const c = spec.containers[0];
    const [first, ...rest] = [...(c.command ?? []), ...(c.args ?? [])] as string[];
    const argv = [...(o.entrypoints[first!] ?? [first!]), ...rest];
    const env = envOf(c, p);
    p.node = node;
    p.phase = "Running";
    p.startedAt = new Date().toISOString();
    p.started = { argv, ...(c.workingDir && { cwd: c.workingDir }), env };
    p.process = spawn(argv[0]!, argv.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
      ...(c.workingDir && { cwd: c.workingDir }),
    });
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
      const indexed = body?.spec?.completionMode === "Indexed";
      const completions = body?.spec?.completions ?? 1;
      if (indexed && !(Number.isInteger(completions) && completions >= 1))
        problems.push("spec.completions: Required value: when completionMode is Indexed");
      if (problems.length) return status(res, 422, "Invalid", `Job.batch "${name}" is invalid: ${problems.join(", ")}`);
      const key = `${ns}/${name}`;
      if (jobs.get(key) && !jobs.get(key)!.deleted) return status(res, 409, "AlreadyExists", `jobs.batch "${name}" already exists`);
      const labels = { ...(body.spec.template.metadata?.labels ?? {}), "job-name": name!, "batch.kubernetes.io/job-name": name! };
      const pods = Array.from({ length: indexed ? completions : 1 }, (_, i): Pod => {
        const index = indexed ? { [INDEX]: String(i) } : undefined;
        return {
          name: `${name}-${indexed ? `${i}-` : ""}${randomUUID().slice(0, 5)}`,
          namespace: ns,
          labels: { ...labels, ...index },
          annotations: { ...index },
          ...(indexed && spec.subdomain && { hostname: `${name}-${i}` }),
          container: spec.containers[0].name,
          node: undefined,
          phase: "Pending",
          log: "",
        };
      });
      const j: Job = { namespace: ns, manifest: body, uid: randomUUID(), created: new Date().toISOString(), pods };
      jobs.set(key, j);
      const taken = new Set<string>();
      for (const p of pods) run(j, p, taken);
      return json(res, 201, jobView(j));
    }
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname))) {
      const j = jobs.get(`${m[1]}/${m[2]}`);
      if (!j || j.deleted) return status(res, 404, "NotFound", `jobs.batch "${m[2]}" not found`);
      if (req.method === "GET") return json(res, 200, jobView(j));
      if (req.method !== "DELETE") return status(res, 405, "MethodNotAllowed", `${req.method} is not supported`);
      const policy = url.searchParams.get("propagationPolicy") ?? body?.propagationPolicy ?? "Orphan"; // batch/v1 Jobs orphan their pods by default
      j.deleted = true;
      if (policy !== "Orphan") j.pods.forEach(terminate);
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
        .filter((j) => j.namespace === m![1])
        .flatMap((j) => j.pods.filter((p) => !(j.deleted && !p.process) && matches(p.labels, selector)))
        .map(podView);
      return json(res, 200, { apiVersion: "v1", kind: "PodList", metadata: {}, items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname)) && req.method === "GET") {
      const pod = [...jobs.values()].flatMap((j) => j.pods).find((p) => p.namespace === m![1] && p.name === m![2]);
      if (!pod) return status(res, 404, "NotFound", `pods "${m[2]}" not found`);
      const container = url.searchParams.get("container");
      if (container && container !== pod.container)
        return status(res, 400, "BadRequest", `container ${container} is not valid for pod ${pod.name}`);
      if (pod.phase === "Pending")
        return status(res, 400, "BadRequest", `container "${pod.container}" in pod "${pod.name}" is waiting to start: ContainerCreating`);
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end(pod.log);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/services(?:\/([^/]+))?$/.exec(url.pathname))) {
      const [ns, named] = [m[1]!, m[2]];
      if (!named && req.method === "POST") {
        const name = body?.metadata?.name as string | undefined;
        if (body?.apiVersion !== "v1" || body?.kind !== "Service" || !name || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name))
          return status(res, 422, "Invalid", `Service "${name}" is invalid: metadata.name: a DNS-1035 label is required`);
        if (services.has(`${ns}/${name}`)) return status(res, 409, "AlreadyExists", `services "${name}" already exists`);
        services.set(`${ns}/${name}`, { namespace: ns, manifest: body });
        return json(res, 201, { ...body, metadata: { ...body.metadata, namespace: ns } });
      }
      if (named && req.method === "DELETE") {
        if (!services.delete(`${ns}/${named}`)) return status(res, 404, "NotFound", `services "${named}" not found`);
        return json(res, 200, {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: { name: named, kind: "services" },
        });
      }
      return status(res, 405, "MethodNotAllowed", `${req.method} is not supported`);
    }
    return status(res, 404, "NotFound", "the server could not find the requested resource");
  });

  return {
    ...server,
    jobs: () =>
      [...jobs.entries()].map(([key, j]) => ({
        name: key.split("/")[1]!,
        namespace: j.namespace,
        uid: j.uid,
        manifest: j.manifest,
        // Its pods' phase, the worst first: one failed pod fails the Job; all must succeed for it to.
        phase: (["Failed", "Running", "Pending", "Succeeded"] as const).find((ph) => j.pods.some((p) => p.phase === ph))!,
        deleted: !!j.deleted,
        pods: j.pods,
      })),
    services: () => [...services.entries()].map(([key, v]) => ({ name: key.split("/")[1]!, ...v })),
    close: async () => {
      for (const j of jobs.values()) for (const p of j.pods) p.process?.kill("SIGKILL");
      await server.close();
    },
  };
}
