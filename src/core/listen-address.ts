// "host:port" or "[v6]:port" (as the configuration validates them) split for net.Server.listen.
export function splitHostPort(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(":");
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(listen.slice(at + 1)) };
}
