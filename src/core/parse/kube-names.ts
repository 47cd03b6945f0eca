// Kubernetes name grammars, defined once for every input that names an object: policies,
// configuration, injection annotations. The CRD schema copies them verbatim.

// Object names (DNS-1123 subdomain) and namespaces, containers, labels (DNS-1123 label).
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN_TEXT = "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)";
export const DNS_LABEL_TEXT = "must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)";
