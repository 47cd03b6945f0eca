// RFC 9110 §5.6.2 token characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UPPER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Z]+$/;

const PSEUDO_TOKEN = /^:[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

// ":" followed by a token, checked without slicing the name.
export function isPseudoToken(text: string): boolean {
  return PSEUDO_TOKEN.test(text);
}

// Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET to a server, so it is refused
// rather than upper-cased, which would authorise a request the server reads differently.
export function isUpperCaseMethod(method: string): boolean {
  return UPPER_TOKEN.test(method);
}
