// A located problem in a compose document. The loader collects these instead of throwing one at a time;
// only cli/main turns them into text and an exit code (the reference exits 15 on an invalid file).

export interface SourcePosition {
  /** Path of the file as the user named it (or "-" for stdin). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface Diagnostic {
  /** Where it is, when known (a missing required key points at its parent mapping). */
  position?: SourcePosition;
  /** Path in the document, e.g. ["services", "web", "ports", 1]. */
  path: (string | number)[];
  message: string;
  /** An optional suggestion, e.g. "did you mean 'command'?" */
  hint?: string;
}

/** Thrown at the edge (never inside pure loader code) when a document is invalid. */
export class InvalidProjectError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly exitCode = 15,
  ) {
    super(diagnostics.map(formatDiagnosticHeadline).join("\n"));
    this.name = "InvalidProjectError";
  }
}

/** "services.web.ports[1]" from ["services", "web", "ports", 1]. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

export function formatDiagnosticHeadline(d: Diagnostic): string {
  const where = d.position ? `${d.position.file}:${d.position.line}:${d.position.column}: ` : "";
  const path = d.path.length > 0 ? `${formatPath(d.path)}: ` : "";
  return `${where}${path}${d.message}${d.hint ? ` (${d.hint})` : ""}`;
}
