// RFC 9110 §5.6.2 token characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UPPER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Z]+$/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

// Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET to a server, so it is refused
// rather than upper-cased, which would authorise a request the server reads differently.
export function isUpperCaseMethod(method: string): boolean {
  return UPPER_TOKEN.test(method);
}
