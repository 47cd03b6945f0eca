import type { Cluster, Redis } from "ioredis";

// Whether an ioredis client is a Cluster (a client per node, its own routing) rather than one
// connection (standalone or Sentinel).
export function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}
