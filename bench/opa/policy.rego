# The bench's decision in Rego, equivalent to bench/check-fixture.ts's AccessPolicy for one
# request: the API key's SHA-256 digest looked up in data.keys (written by the bench next to this
# policy), the method and path of an Open Inference "infer" call on the one model, and the
# caller's team attribute. Written for OPA-Envoy v0.46.1 (pre-1.0 Rego syntax).
package modelgate.bench

default allow = false

http := input.attributes.request.http

identity := data.keys[concat("", ["sha256:", crypto.sha256(http.headers["x-api-key"])])]

allow {
	http.method == "POST"
	regex.match(`^/v2/models/fraud-detector(/versions/[^/]+)?/infer$`, http.path)
	identity.attributes.team == "data_science"
}
