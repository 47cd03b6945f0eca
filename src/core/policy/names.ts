import { DNS_LABEL } from "../parse/kube-names.ts";

// Name grammars shared by the AccessPolicy validators, kept together so the CRD schema can copy
// them verbatim (the Kubernetes ones are in core/parse/kube-names.ts).

// Rule and limit names end up in responses and RateLimit headers, so they stay label-shaped.
export const RULE_NAME = DNS_LABEL;
export const RULE_NAME_TEXT = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

export const ACTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
export const ACTION_NAME_TEXT = "an action is a lower-case identifier: a letter, then letters, digits, '_' or '-'";

// Attribute names come from claim mappings and key metadata; anything printable without spaces.
export const ATTRIBUTE_NAME = /^[A-Za-z0-9_.:/-]{1,253}$/;
export const ATTRIBUTE_NAME_TEXT = "letters, digits and '_', '.', ':', '/', '-', at most 253 characters";
