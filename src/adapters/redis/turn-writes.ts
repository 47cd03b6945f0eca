import type { Cluster, Redis } from "ioredis";
import { isCluster } from "./is-cluster.ts";

// One socket write per turn of the event loop for an ioredis client: the first command of a
// turn corks the client's socket, and `setImmediate` (after the turn's I/O callbacks, as
// ioredis' own auto-pipelining does) uncorks it, so Node sends every command the turn queued
// with one writev and Redis reads them with one read.
//
// Why not ioredis' enableAutoPipelining, which batches the same way: it builds a Pipeline per
// batch, and the Pipeline's constructor defines a `length` accessor on itself with a fresh
// closure. That gives each Pipeline a hidden class of its own, kept in the old generation and
// pointing at the young getter, which reaches the Pipeline and its commands: scavenges cannot free
// them, so every batch is promoted (bench/accessor-promotion.ts reproduces the pattern). Measured
// with bench/gc-profile.ts at 1000 rps on the Redis limiter: 5.2 KB promoted per decision with it
// against 1.2 KB with this (the in-process limiter's figure), GC pauses 20 → 7 ms per second, and
// no 35–47 ms mark-compact every ≈ 15 000 decisions. Without any batching each command is a write
// of its own: 25–35 % more CPU per decision at saturation (bench/ab-bench.ts); with this, the
// same as auto-pipelining.
// A Cluster client has one socket per node and routes each command itself: the first command
// of a turn corks the socket of every primary it knows, so each node is sent its share of the
// turn in one write too (a node connected later in the turn is written to as commands come).

export type HoldWrites = () => void;

// Call the returned function before each command. The socket is read at each turn's first
// command, so a reconnect (a new socket) is picked up; a turn ends by uncorking the socket it
// corked, even if ioredis has replaced it meanwhile.
export function turnWrites(client: Redis | Cluster): HoldWrites {
  let holding = false;
  const release = (sockets: readonly Redis["stream"][]) => {
    holding = false;
    for (const socket of sockets) socket.uncork();
  };
  return () => {
    if (holding) return;
    const sockets = isCluster(client) ? client.nodes("master").flatMap(socketOf) : socketOf(client);
    if (sockets.length === 0) return;
    holding = true;
    for (const socket of sockets) socket.cork();
    setImmediate(release, sockets);
  };
}

// Undefined before the first connect; a command then fails fast (no offline queue).
function socketOf(node: Redis): Redis["stream"][] {
  const socket: Redis["stream"] | undefined = node.stream;
  return socket === undefined ? [] : [socket];
}
