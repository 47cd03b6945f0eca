// Resolves to `work`'s value, or to `late` once `ms` have passed, whichever comes first.
// `work` must not reject; it keeps running after the deadline and its value is then dropped.
//
// When the timer fires, `late` waits one more turn of the event loop (setImmediate runs after
// the I/O poll): a reply already sitting in the socket — the process was busy (a GC pause, a
// burst parsed in one go), not Redis slow — is read first and wins instead of being counted as
// a timeout and sent to the fallback.
//
// One promise settled by whichever comes first, not Promise.race plus finally: this runs once
// per Redis decision, and the race and finally layers were two promises and a closure more.
export function withDeadline<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let immediate: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => {
      immediate = setImmediate(resolve, late);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
    };
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
