import { copyFileSync } from "node:fs";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestCert, type TestPki } from "../../integration/helpers/test-pki.ts";
import { servingCert, startWebhook, type RunningWebhook } from "../../integration/helpers/webhook-process.ts";
import { eventually } from "../../integration/helpers/k8s-cluster.ts";

// The serving certificate is re-read when its files change (a rotated kubernetes.io/tls
// Secret), without a restart; a broken pair keeps the previous certificate.

let pki: TestPki;
let ca: TestCert;
let webhook: RunningWebhook;

function servedSerial(port: number, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, ca: caPem }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on("error", reject);
  });
}

beforeAll(async () => {
  pki = createTestPki();
  ca = pki.rootCa("reload-ca");
  webhook = await startWebhook(pki, ca);
}, 60_000);

afterAll(async () => {
  await webhook?.stop();
  pki?.cleanup();
});

describe("modelgate webhook TLS files", () => {
  it("serves a rotated certificate without a restart", async () => {
    const before = await servedSerial(webhook.port, ca.pem);
    const next = servingCert(pki, ca, "rotated");
    copyFileSync(next.keyFile, webhook.keyFile);
    copyFileSync(next.certFile, webhook.certFile);
    const after = await eventually(
      async () => {
        const serial = await servedSerial(webhook.port, ca.pem);
        if (serial === before) throw new Error("still the old certificate");
        return serial;
      },
      15_000,
      200,
    );
    expect(after).not.toBe(before);
    expect(await webhook.metrics()).toMatch(/modelgate_webhook_tls_reloads_total\{result="ok"\} [1-9]/);
  });

  it("keeps serving the last good certificate when the new pair does not match", async () => {
    const current = await servedSerial(webhook.port, ca.pem);
    const other = servingCert(pki, ca, "mismatch");
    copyFileSync(other.keyFile, webhook.keyFile); // key of another certificate
    await eventually(
      async () => {
        if (!/modelgate_webhook_tls_reloads_total\{result="error"\} [1-9]/.test(await webhook.metrics()))
          throw new Error("not noticed yet");
      },
      15_000,
      200,
    );
    expect(await servedSerial(webhook.port, ca.pem)).toBe(current);
  });
});
