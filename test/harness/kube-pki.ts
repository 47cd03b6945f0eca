import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Certificates for one control plane, made in the test run: a CA and a serving certificate for
// 127.0.0.1/localhost (openssl CLI: node:crypto cannot sign X.509), and the service-account
// signing key (node:crypto). Clients authenticate with static tokens, not certificates.

export interface ControlPlanePki {
  readonly caPem: string;
  readonly caFile: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly saPublicKey: string;
  readonly saPrivateKey: string;
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

export function makeControlPlanePki(dir: string): ControlPlanePki {
  const caKey = join(dir, "ca.key");
  const caFile = join(dir, "ca.crt");
  const servingKey = join(dir, "apiserver.key");
  const servingCert = join(dir, "apiserver.crt");
  const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  openssl(["genpkey", ...ec, "-out", caKey]);
  openssl(["req", "-x509", "-new", "-key", caKey, "-subj", "/CN=modelgate-test-ca", "-days", "2", "-out", caFile]);
  openssl(["genpkey", ...ec, "-out", servingKey]);
  const csr = join(dir, "apiserver.csr");
  openssl(["req", "-new", "-key", servingKey, "-subj", "/CN=kube-apiserver", "-out", csr]);
  const ext = join(dir, "apiserver.ext");
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caFile,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    ext,
    "-out",
    servingCert,
  ]);
  const sa = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const saPublicKey = join(dir, "sa.pub");
  const saPrivateKey = join(dir, "sa.key");
  writeFileSync(saPublicKey, sa.publicKey.export({ type: "spki", format: "pem" }));
  writeFileSync(saPrivateKey, sa.privateKey.export({ type: "pkcs8", format: "pem" }));
  return { caPem: readFileSync(caFile, "utf8"), caFile, servingCert, servingKey, saPublicKey, saPrivateKey };
}
