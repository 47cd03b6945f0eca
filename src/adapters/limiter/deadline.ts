// Resolves to `work`'s value, or to `late` once `ms` have passed, whichever comes first.
// `work` must not reject; it keeps running after the deadline and its value is then dropped.
//
// The deadline measures Redis, not this process. A timer that fires late by more than `ms`
// means the event loop was stalled (a fresh replica compiling its code, a GC pause, a burst
// parsed in one go), and the command may not even have been written yet: the call then gets
// one more `ms` of a running loop. And `late` waits one more turn of the loop (setImmediate runs
// after the I/O poll), so a reply already sitting in the socket is read first and wins.
// Without both, a busy replica turns answered calls into timeouts and hands them to the
// fallback. A dead Redis still costs at most 2 × `ms` plus the stall itself.
export function withDeadline<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const expiry = new Promise<T>((resolve) => {
    const armedAt = performance.now();
    let extended = false;
    const expire = () => {
      const stalledMs = performance.now() - armedAt - ms;
      if (!extended && stalledMs > ms) {
        extended = true;
        timer = setTimeout(expire, ms);
        return;
      }
      immediate = setImmediate(resolve, late);
    };
    timer = setTimeout(expire, ms);
  });
  return Promise.race([work, expiry]).finally(() => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  });
}
