import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { Issue, Result } from "../../core/result.ts";

// Holds the last good value built from a set of files. A reload that fails (unreadable file,
// invalid content) never replaces it: the old value keeps serving and the failure is reported.

export interface SourceText {
  readonly name: string;
  readonly text: string;
}

export interface FileBackedStoreOptions<T> {
  readonly files: readonly string[];
  readonly build: (sources: readonly SourceText[]) => Result<T, readonly Issue[]>;
  readonly onLoaded: (value: T) => void;
  // `serving`: a last good value exists and keeps serving (false for a first load that failed).
  readonly onRejected: (issues: readonly Issue[], serving: boolean) => void;
  readonly pollIntervalMs?: number;
}

export class FileBackedStore<T> {
  #current: T | undefined;
  #watching = false;
  readonly #options: FileBackedStoreOptions<T>;

  constructor(options: FileBackedStoreOptions<T>) {
    this.#options = options;
  }

  get current(): T | undefined {
    return this.#current;
  }

  // Returns true when the files produced a new value.
  reload(): boolean {
    const sources: SourceText[] = [];
    for (const name of this.#options.files) {
      try {
        sources.push({ name, text: readFileSync(name, "utf8") });
      } catch (error) {
        this.#options.onRejected([{ path: name, message: `cannot read: ${(error as Error).message}` }], this.#current !== undefined);
        return false;
      }
    }
    const built = this.#options.build(sources);
    if (!built.ok) {
      this.#options.onRejected(built.error, this.#current !== undefined);
      return false;
    }
    this.#current = built.value;
    this.#options.onLoaded(built.value);
    return true;
  }

  // Polling survives the atomic renames editors and Kubernetes ConfigMap volumes use.
  watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    const interval = this.#options.pollIntervalMs ?? 1000;
    for (const file of this.#options.files) {
      watchFile(file, { interval, persistent: false }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload();
      });
    }
  }

  close(): void {
    for (const file of this.#options.files) unwatchFile(file);
    this.#watching = false;
  }
}
