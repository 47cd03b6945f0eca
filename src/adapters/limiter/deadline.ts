import type { DeadlineQueue } from "../timing/deadline-queue.ts";

// Resolves to `work`'s value, or to `late` once `ms` have passed, whichever comes first.
// `work` must not reject; it keeps running after the deadline and its value is then dropped.
// The deadlines of all calls share one timer (`deadlines`), so a call costs one promise and a
// queue entry, not a Timeout, a race and a `finally`.
//
// When the deadline passes, `late` waits one more turn of the event loop (setImmediate runs
// after the I/O poll): a reply already sitting in the socket — the process was busy (a GC
// pause, a burst parsed in one go), not Redis slow — is read first and wins instead of being
// counted as a timeout and sent to the fallback.
export function withDeadline<T>(work: Promise<T>, ms: number, late: T, deadlines: DeadlineQueue): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let immediate: NodeJS.Immediate | undefined;
    const entry = deadlines.add(ms, () => {
      immediate = setImmediate(resolve, late);
    });
    const done = (): void => {
      deadlines.remove(entry);
      if (immediate !== undefined) clearImmediate(immediate);
    };
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
