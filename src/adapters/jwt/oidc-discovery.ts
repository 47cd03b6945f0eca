import { urlProblem } from "../../core/identity/jwt/url-policy.ts";
import { err, ok, type Result } from "../../core/result.ts";

// OpenID Connect Discovery 1.0 §4: the provider's metadata sits at
// <issuer>/.well-known/openid-configuration (a trailing slash of the issuer removed first), and
// its `issuer` must equal the configured issuer exactly (§4.3), or a document served for
// another issuer could hand us its keys.

export type FetchDocument = (url: string) => Promise<Result<unknown, string>>;

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
}

export async function discoverJwksUri(
  issuer: string,
  fetchDocument: FetchDocument,
  allowInsecureHttp: boolean,
): Promise<Result<string, string>> {
  const fetched = await fetchDocument(discoveryUrl(issuer));
  if (!fetched.ok) return err(`discovery: ${fetched.error}`);
  const doc = fetched.value;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return err("discovery: the document is not a JSON object");
  const metadata = doc as Record<string, unknown>;
  if (metadata["issuer"] !== issuer) return err("discovery: the document names a different issuer");
  const jwksUri = metadata["jwks_uri"];
  if (typeof jwksUri !== "string") return err("discovery: the document has no jwks_uri");
  const problem = urlProblem(jwksUri, allowInsecureHttp);
  return problem === undefined ? ok(jwksUri) : err(`discovery: jwks_uri ${problem}`);
}
