import { err, ok, type Result } from "../../core/result.ts";
import type { KubeFailure, KubeHttp } from "./kube-http.ts";
import { statusMessage } from "./kube-http.ts";

// One resource collection seen as "list pages" and "watch events from a resourceVersion" —
// the two calls the list-watch loop needs, so the loop itself can be tested without a server.

export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  readonly continueToken: string | undefined;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
}

export interface WatchCallbacks {
  onOpen(): void;
  onEvent(event: WatchEvent): void;
  onEnd(failure: KubeFailure | undefined): void; // a watch ERROR event ends the watch as a failure
}

export interface WatchHandle {
  close(): void;
}

export interface ListWatchClient {
  readonly description: string; // for logs, e.g. "accesspolicies in ml-prod"
  list(continueToken: string | undefined): Promise<Result<ListPage, KubeFailure>>;
  watch(resourceVersion: string, timeoutSeconds: number, callbacks: WatchCallbacks): WatchHandle;
}

export interface CollectionPath {
  readonly description: string;
  readonly path: string; // e.g. /apis/modelgate.io/v1alpha1/namespaces/ml-prod/accesspolicies
  readonly labelSelector?: string;
}

const PAGE_SIZE = 500;
const EVENT_TYPES: readonly string[] = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"];

export function httpListWatchClient(http: KubeHttp, collection: CollectionPath, listTimeoutMs: number): ListWatchClient {
  const query = (params: Record<string, string | undefined>): string => {
    const search = new URLSearchParams();
    if (collection.labelSelector !== undefined) search.set("labelSelector", collection.labelSelector);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, v);
    return `${collection.path}?${search.toString()}`;
  };
  return {
    description: collection.description,
    list: async (continueToken) => {
      const reply = await http.json("GET", query({ limit: String(PAGE_SIZE), continue: continueToken }), undefined, {
        timeoutMs: listTimeoutMs,
      });
      if (!reply.ok) return reply;
      if (reply.value.status !== 200)
        return err({ status: reply.value.status, message: statusMessage(reply.value.body, reply.value.status) });
      return parseListPage(reply.value.body);
    },
    watch: (resourceVersion, timeoutSeconds, callbacks) => {
      const path = query({ watch: "1", allowWatchBookmarks: "true", resourceVersion, timeoutSeconds: String(timeoutSeconds) });
      let ended = false;
      const stream = http.stream(path, {
        onOpen: () => callbacks.onOpen(),
        onLine: (line) => {
          const event = parseWatchLine(line);
          if (event.ok) callbacks.onEvent(event.value);
          else {
            ended = true;
            stream.close();
            callbacks.onEnd(event.error);
          }
        },
        onEnd: (failure) => {
          if (!ended) callbacks.onEnd(failure);
        },
      });
      return { close: () => stream.close() };
    },
  };
}

export function parseListPage(body: unknown): Result<ListPage, KubeFailure> {
  if (typeof body !== "object" || body === null) return err({ status: undefined, message: "the list answer is not a JSON object" });
  const { items, metadata } = body as { items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
  if (!Array.isArray(items) || typeof metadata?.resourceVersion !== "string") {
    return err({ status: undefined, message: "the list answer has no items or no metadata.resourceVersion" });
  }
  const continueToken = typeof metadata.continue === "string" && metadata.continue !== "" ? metadata.continue : undefined;
  return ok({ items, resourceVersion: metadata.resourceVersion, continueToken });
}

// ERROR events carry a Status (410 Expired when the resourceVersion is too old): a failure.
export function parseWatchLine(line: string): Result<WatchEvent, KubeFailure> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return err({ status: undefined, message: "the watch stream sent a line that is not JSON" });
  }
  const { type, object } = (typeof parsed === "object" && parsed !== null ? parsed : {}) as { type?: unknown; object?: unknown };
  if (type === "ERROR") {
    const code = (object as { code?: unknown } | undefined)?.code;
    return err({
      status: typeof code === "number" ? code : undefined,
      message: statusMessage(object, typeof code === "number" ? code : undefined),
    });
  }
  if (typeof type !== "string" || !EVENT_TYPES.includes(type) || typeof object !== "object" || object === null) {
    return err({ status: undefined, message: `the watch stream sent an unknown event ${JSON.stringify(String(type)).slice(0, 40)}` });
  }
  return ok({ type: type as WatchEventType, object });
}
