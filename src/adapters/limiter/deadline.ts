// Resolves to `work`'s value, or to `late` once `ms` have passed, whichever comes first.
// `work` must not reject; it keeps running after the deadline and its value is then dropped.
export function withDeadline<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<T>((resolve) => {
    timer = setTimeout(resolve, ms, late);
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}
