import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Where test/harness/install-deploy-tools.sh puts helm, kubectl, kubeconform and the Dockerfile
// linter. A missing tool fails the test with the command that installs it; nothing is skipped.

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHART = join(REPO, "charts/modelgate");

export function toolsDir(): string {
  return process.env["MODELGATE_TOOLS"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "modelgate-tools");
}

export function deployTool(name: "helm" | "kubectl" | "kubeconform" | "dockerfile-utils"): string {
  const path = join(toolsDir(), "deploy/bin", name);
  if (!existsSync(path)) throw new Error(`${name} is not installed at ${path}: run bash test/harness/install-deploy-tools.sh`);
  return path;
}

export function systemTool(name: "shellcheck" | "bash"): string {
  for (const dir of (process.env["PATH"] ?? "").split(":").concat(["/usr/bin", "/bin"])) {
    const path = join(dir, name);
    if (dir !== "" && existsSync(path)) return path;
  }
  throw new Error(`${name} is not on PATH: run bash test/harness/install-deploy-tools.sh`);
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Runs a tool and returns its exit code and output instead of throwing, so a test can assert on
// a refusal as well as on success.
export function run(
  file: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): RunResult {
  try {
    const stdout = execFileSync(file, args, {
      cwd: options.cwd ?? REPO,
      input: options.input,
      env: options.env ?? process.env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    const failed = error as { status?: number | null; stdout?: string; stderr?: string };
    return { code: failed.status ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? String(error) };
  }
}

export function runOk(file: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): string {
  const result = run(file, args, options);
  if (result.code !== 0) throw new Error(`${file} ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}
