// One modelgate replica's online anomaly detection, in its own process, for
// test/integration/anomaly-replicas.test.ts. Built with the real factory; the audit log and
// the limiter are stand-ins that report back to the parent over IPC.
//   argv: <config JSON>
//   parent → child: { type: "batch", events } | { type: "stop" }
//   child → parent: { type: "ready" } | { type: "done", alerts } | { type: "stopped", metrics }
import { Registry } from "prom-client";
import { parseAnomalyConfig } from "../../../src/config/parse-anomaly.ts";
import type { AuditEvent } from "../../../src/core/audit/event.ts";
import { createJsonLogger } from "../../../src/adapters/log/json-logger.ts";
import { startAnomalyDetection } from "../../../src/wiring/start-anomaly.ts";
import type { TrafficEvent } from "../../core/anomaly/patterns.ts";
import { RecordingResponder } from "./helpers.ts";

type Message = { readonly type: "batch"; readonly events: readonly TrafficEvent[] } | { readonly type: "stop" };

const send = (message: unknown): void => void process.send?.(message);
const parsed = parseAnomalyConfig(JSON.parse(process.argv[2] ?? "{}"), "anomaly");
if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));

const registry = new Registry();
let alerts: AuditEvent[] = [];
const runtime = await startAnomalyDetection(parsed.value, {
  registry,
  logger: createJsonLogger("warn", (line) => void process.stderr.write(`${line}\n`)),
  now: Date.now,
  record: (e) => void alerts.push(e),
  responder: new RecordingResponder(),
  policyResponses: () => undefined,
  rendering: { subjects: "plain", hmacKey: undefined },
  joinsOutcomes: true, // the parent sends outcomes too
});
if (runtime === undefined) throw new Error("anomaly detection is disabled in the child's config");

process.on("message", (message: Message) => {
  void (async () => {
    if (message.type === "stop") {
      await runtime.close(2000);
      send({ type: "stopped", metrics: await registry.getMetricsAsJSON() });
      process.disconnect?.();
      return;
    }
    for (const e of message.events) {
      if (e.kind === "decision") runtime.detector.observeDecision(e.decision);
      else runtime.detector.observeOutcome(e.requestId, e.code);
    }
    await runtime.detector.settled();
    send({ type: "done", alerts });
    alerts = [];
  })();
});
send({ type: "ready" });
