// Resolves to `work`'s value, or to `late` once `ms` have passed, whichever comes first.
// `work` must not reject; it keeps running after the deadline and its value is then dropped.
//
// When the timer fires, `late` waits one more turn of the event loop (setImmediate runs after
// the I/O poll): a reply already sitting in the socket — the process was busy (a GC pause, a
// burst parsed in one go), not Redis slow — is read first and wins instead of being counted as
// a timeout and sent to the fallback.
export function withDeadline<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const expiry = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      immediate = setImmediate(resolve, late);
    }, ms);
  });
  return Promise.race([work, expiry]).finally(() => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  });
}
