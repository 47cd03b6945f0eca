import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Real certificates made in the test run with the Debian `openssl` CLI: `openssl ca` because it
// takes explicit start and end dates, so expired and not-yet-valid certificates are real ones.
// EC P-256 keys keep generation quick (~10 ms per openssl call). Everything lives in one
// temporary directory that cleanup() removes.

export interface CertSpec {
  // openssl -subj syntax, most general first: "/O=acme/OU=data_science/CN=scorer"
  readonly subject: string;
  readonly uris?: readonly string[];
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly ca?: boolean; // basicConstraints CA:TRUE; default false
  readonly pathLength?: number; // basicConstraints pathlen (CAs only)
  // openssl extension values; null leaves the extension out. Defaults: a leaf gets
  // "critical,digitalSignature" and "clientAuth", a CA "critical,keyCertSign,cRLSign" and no EKU.
  readonly keyUsage?: string | null;
  readonly extKeyUsage?: string | null;
  readonly notBefore?: Date; // default: an hour ago
  readonly notAfter?: Date; // default: in 30 days
  // Raw openssl extension lines, e.g. "nameConstraints = critical,permitted;DNS:.example.com".
  readonly extraExtensions?: readonly string[];
}

export interface TestCert {
  readonly name: string;
  readonly pem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestPki {
  readonly dir: string;
  rootCa(name: string, spec?: Partial<CertSpec>): TestCert;
  issue(issuer: TestCert, name: string, spec: CertSpec): TestCert;
  cleanup(): void;
}

const HOUR = 3600_000;

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-pki-"));
  return {
    dir,
    rootCa: (name, spec = {}) => make(dir, undefined, name, { subject: `/O=modelgate tests/CN=${name}`, ca: true, ...spec }),
    issue: (issuer, name, spec) => make(dir, issuer, name, spec),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// Envoy URL-encodes the PEM in source.certificate and in XFCC Cert/Chain.
export function urlEncodedPem(pem: string): string {
  return encodeURIComponent(pem);
}

function make(dir: string, issuer: TestCert | undefined, name: string, spec: CertSpec): TestCert {
  const work = join(dir, name);
  mkdirSync(work);
  const keyFile = join(work, "key.pem");
  const certFile = join(work, "cert.pem");
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile]);
  openssl(["req", "-new", "-utf8", "-key", keyFile, "-subj", spec.subject, "-out", join(work, "req.csr")]);
  writeFileSync(join(work, "index.txt"), "");
  writeFileSync(join(work, "ca.cnf"), caConfig(work, spec, issuer !== undefined));
  const now = Date.now();
  const signer = issuer === undefined ? ["-selfsign", "-keyfile", keyFile] : ["-cert", issuer.certFile, "-keyfile", issuer.keyFile];
  openssl([
    "ca",
    "-batch",
    "-config",
    join(work, "ca.cnf"),
    "-in",
    join(work, "req.csr"),
    "-out",
    certFile,
    "-notext",
    "-preserveDN",
    "-extensions",
    "ext",
    ...signer,
    "-startdate",
    asn1Time(spec.notBefore ?? new Date(now - HOUR)),
    "-enddate",
    asn1Time(spec.notAfter ?? new Date(now + 30 * 24 * HOUR)),
  ]);
  return { name, pem: readFileSync(certFile, "utf8"), certFile, keyFile };
}

function caConfig(work: string, spec: CertSpec, issued: boolean): string {
  const ca = spec.ca === true;
  const keyUsage = spec.keyUsage === undefined ? (ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") : spec.keyUsage;
  const extKeyUsage = spec.extKeyUsage === undefined ? (ca ? null : "clientAuth") : spec.extKeyUsage;
  const sans = [
    ...(spec.uris ?? []).map((u, i) => `URI.${i + 1} = ${u}`),
    ...(spec.dns ?? []).map((d, i) => `DNS.${i + 1} = ${d}`),
    ...(spec.ips ?? []).map((a, i) => `IP.${i + 1} = ${a}`),
  ];
  return [
    "[ ca ]",
    "default_ca = this",
    "[ this ]",
    `database = ${join(work, "index.txt")}`,
    `new_certs_dir = ${work}`,
    "rand_serial = yes",
    "default_md = sha256",
    "policy = any",
    "unique_subject = no",
    "copy_extensions = none",
    "email_in_dn = yes",
    "[ any ]",
    ...["C", "ST", "L", "O", "OU", "CN", "emailAddress"].map((f) => `${f} = optional`),
    "[ ext ]",
    `basicConstraints = critical,CA:${ca ? "TRUE" : "FALSE"}${spec.pathLength === undefined ? "" : `,pathlen:${spec.pathLength}`}`,
    "subjectKeyIdentifier = hash",
    ...(issued ? ["authorityKeyIdentifier = keyid"] : []),
    ...(keyUsage === null ? [] : [`keyUsage = ${keyUsage}`]),
    ...(extKeyUsage === null ? [] : [`extendedKeyUsage = ${extKeyUsage}`]),
    ...(spec.extraExtensions ?? []),
    ...(sans.length === 0 ? [] : ["subjectAltName = @alt", "[ alt ]", ...sans]),
    "",
  ].join("\n");
}

function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}
