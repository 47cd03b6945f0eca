import { readFileSync } from "node:fs";
import { createSecureContext, type SecureContext } from "node:tls";

// The serving certificate from files that cert-manager or the chart rewrites (a mounted
// kubernetes.io/tls Secret is swapped atomically through a symlink). Polled by content: file
// events are unreliable on such mounts. A half-written or mismatched pair keeps the old one.

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

export function readTlsPair(
  certFile: string,
  keyFile: string,
): { ok: true; pair: TlsPair; context: SecureContext } | { ok: false; error: string } {
  try {
    const pair = { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
    return { ok: true, pair, context: createSecureContext(pair) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export interface TlsWatcher {
  stop(): void;
}

export function watchTlsPair(
  certFile: string,
  keyFile: string,
  current: TlsPair,
  intervalMs: number,
  onChange: (result: ReturnType<typeof readTlsPair>) => void,
): TlsWatcher {
  let last = current;
  const timer = setInterval(() => {
    let cert: string;
    let key: string;
    try {
      cert = readFileSync(certFile, "utf8");
      key = readFileSync(keyFile, "utf8");
    } catch {
      return; // mid-swap or removed: try again next tick
    }
    if (cert === last.cert && key === last.key) return;
    const result = readTlsPair(certFile, keyFile);
    if (result.ok) last = result.pair;
    else last = { cert, key }; // report a broken pair once, not every tick
    onChange(result);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
