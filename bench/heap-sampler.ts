import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

// Preloaded into a server by bench/alloc-profile.ts (`node --import`): samples every allocation
// (one sample per MODELGATE_HEAP_SAMPLE_BYTES, default 16 KiB), including objects the garbage
// collector has already freed (node --heap-prof keeps only what is still alive, which hides the
// short-lived garbage a request makes; MODELGATE_HEAP_SAMPLE_MINOR=0 leaves out what a scavenge
// frees, so only promoted or still-live objects count). SIGUSR2 writes the profile to MODELGATE_HEAP_PROFILE.

const out = process.env["MODELGATE_HEAP_PROFILE"];
if (out !== undefined) {
  const session = new Session();
  session.connect();
  session.post("HeapProfiler.enable");
  const start = (): void => {
    session.post("HeapProfiler.startSampling", {
      samplingInterval: Number(process.env["MODELGATE_HEAP_SAMPLE_BYTES"] ?? 16_384),
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env["MODELGATE_HEAP_SAMPLE_MINOR"] !== "0",
    });
  };
  start();
  // The first signal starts a fresh profile (after warm-up); the second writes it.
  let started = false;
  process.on("SIGUSR2", () => {
    if (!started) {
      started = true;
      session.post("HeapProfiler.stopSampling", () => start());
      return;
    }
    session.post("HeapProfiler.stopSampling", (error, result) => {
      writeFileSync(out, JSON.stringify(error === null ? result.profile : { error: String(error) }));
    });
  });
}
