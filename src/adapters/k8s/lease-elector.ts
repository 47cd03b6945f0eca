import type { KubeHttp } from "./kube-http.ts";
import type { LoopTimers } from "./list-watch-loop.ts";

// One holder of a coordination.k8s.io/v1 Lease at a time, the client-go way: read the Lease;
// create it if missing; renew it if ours; take it over (with its resourceVersion, so two
// candidates cannot both win) when its holder has not renewed within leaseDurationSeconds.
// Any failure means "not the leader" until a later round succeeds.

export interface LeaseElectorOptions {
  readonly http: KubeHttp;
  readonly timers: LoopTimers;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string; // unique per replica, e.g. the pod name
  readonly leaseDurationSeconds: number;
  readonly renewIntervalSeconds: number;
  readonly onChange?: (leader: boolean) => void;
  readonly onError?: (message: string) => void;
}

export interface LeaseElector {
  isLeader(): boolean;
  start(): void;
  stop(): Promise<void>; // gives the Lease up so another replica takes over at once
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  renewTime?: string;
  acquireTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

// metav1.MicroTime wants exactly six fractional digits.
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function createLeaseElector(options: LeaseElectorOptions): LeaseElector {
  const { http, timers } = options;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
  let leader = false;
  let running = false;
  let cancel: (() => void) | undefined;
  const setLeader = (value: boolean): void => {
    if (value !== leader) {
      leader = value;
      options.onChange?.(value);
    }
  };
  const spec = (now: number, previous: LeaseSpec | undefined): LeaseSpec => {
    const ours = previous?.holderIdentity === options.identity;
    return {
      holderIdentity: options.identity,
      leaseDurationSeconds: options.leaseDurationSeconds,
      renewTime: microTime(now),
      acquireTime: ours && previous?.acquireTime !== undefined ? previous.acquireTime : microTime(now),
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (ours || previous === undefined ? 0 : 1),
    };
  };

  async function round(): Promise<boolean> {
    const now = timers.now();
    const current = await http.json("GET", `${path}/${options.name}`);
    if (!current.ok) return failed(current.error.message);
    if (current.value.status === 404) {
      const body = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: options.name }, spec: spec(now, undefined) };
      const created = await http.json("POST", path, body);
      return created.ok && created.value.status === 201;
    }
    if (current.value.status !== 200) return failed(`GET lease: HTTP ${current.value.status}`);
    const lease = current.value.body as Lease;
    const holder = lease.spec?.holderIdentity;
    const renewed = Date.parse(lease.spec?.renewTime ?? "");
    const expired = !Number.isFinite(renewed) || renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 < now;
    if (holder !== undefined && holder !== "" && holder !== options.identity && !expired) return false;
    const updated = await http.json("PUT", `${path}/${options.name}`, { ...lease, spec: spec(now, lease.spec) });
    return updated.ok && updated.value.status === 200;
  }

  const failed = (message: string): boolean => {
    options.onError?.(message);
    return false;
  };

  const loop = (): void => {
    if (!running) return;
    void round().then((won) => {
      if (!running) return;
      setLeader(won);
      cancel = timers.after(options.renewIntervalSeconds * 1000, loop);
    });
  };

  return {
    isLeader: () => leader,
    start: () => {
      if (running) return;
      running = true;
      loop();
    },
    stop: async () => {
      running = false;
      cancel?.();
      if (!leader) return;
      setLeader(false);
      const current = await http.json("GET", `${path}/${options.name}`);
      if (!current.ok || current.value.status !== 200) return;
      const lease = current.value.body as Lease;
      if (lease.spec?.holderIdentity !== options.identity) return;
      await http.json("PUT", `${path}/${options.name}`, { ...lease, spec: { ...lease.spec, holderIdentity: "", renewTime: microTime(0) } });
    },
  };
}
