import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";

// The serving certificate from files that cert-manager or the chart rewrites (a mounted
// kubernetes.io/tls Secret is swapped atomically through a symlink). Polled by content: file
// events are unreliable on such mounts. A half-written or mismatched pair keeps the old one.

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

export type TlsPairResult = { ok: true; pair: TlsPair } | { ok: false; error: string };

export function readTlsPair(certFile: string, keyFile: string): TlsPairResult {
  try {
    return checkedPair(readFileSync(certFile, "utf8"), readFileSync(keyFile, "utf8"));
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

// Building a secure context is the check that the key matches the certificate and both parse.
function checkedPair(cert: string, key: string): TlsPairResult {
  try {
    createSecureContext({ cert, key });
    return { ok: true, pair: { cert, key } };
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
  onChange: (result: TlsPairResult) => void,
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
    last = { cert, key }; // a broken pair is reported once, not every tick
    onChange(checkedPair(cert, key));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
