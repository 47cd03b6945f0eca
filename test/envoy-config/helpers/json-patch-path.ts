// Reads and edits a parsed config at an issue-style path such as
// `static_resources.clusters[1].typed_extension_protocol_options["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]`.

type Segment = string | number;

const TOKEN = /\.?([A-Za-z_@][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < path.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(path);
    if (match === null) throw new Error(`bad path ${path} at ${start}`);
    segments.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : (JSON.parse(match[3] ?? '""') as string)));
  }
  return segments;
}

type Container = Record<string | number, unknown>;

function parentOf(doc: unknown, segments: readonly Segment[]): Container {
  let node = doc;
  for (const segment of segments.slice(0, -1)) {
    node = (node as Container)[segment];
    if (typeof node !== "object" || node === null) throw new Error(`no container at ${segments.join(".")}`);
  }
  return node as Container;
}

export function getAt(doc: unknown, path: string): unknown {
  const segments = parsePath(path);
  return parentOf(doc, segments)[segments.at(-1) as Segment];
}

export function setAt(doc: unknown, path: string, value: unknown): void {
  const segments = parsePath(path);
  parentOf(doc, segments)[segments.at(-1) as Segment] = value;
}

export function removeAt(doc: unknown, path: string): void {
  const segments = parsePath(path);
  const parent = parentOf(doc, segments);
  const last = segments.at(-1) as Segment;
  if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
  else delete parent[last];
}
