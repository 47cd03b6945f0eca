export const MAX_MODEL_NAME_LENGTH = 253;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// Returns why `name` cannot be a model name, or undefined when it can.
// `/` is allowed only between non-empty segments other than `.`/`..`: OpenAI-style servers
// (vLLM's default served-model-name is the Hugging Face id, e.g. `meta-llama/Llama-3.1-8B`)
// name models that way, and policy model globs match whole `/`-separated segments, so an empty
// or dot segment would be the only way to make one name look like another.
export function modelNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return "model name is empty";
  }
  if (name.length > MAX_MODEL_NAME_LENGTH) {
    return `model name longer than ${MAX_MODEL_NAME_LENGTH} characters`;
  }
  if (CONTROL.test(name) || !name.isWellFormed()) {
    return "model name contains a control character or invalid Unicode";
  }
  const segments = name.split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    return "model name has an empty, `.` or `..` segment";
  }
  return undefined;
}
