// Located problems as a user reads them: `file:line:col: path: message (hint)`, then the source line with
// a caret under the column. Files are shown relative to the working directory when they are inside it.
import path from "node:path";
import { type Diagnostic, formatPath } from "../../project/load/diagnostics.js";

export type ReadText = (file: string) => string | undefined;

function displayFile(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  readText: ReadText,
  cwd: string,
): string {
  const texts = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!texts.has(file)) texts.set(file, readText(file)?.split(/\r?\n/));
    return texts.get(file);
  };
  return diagnostics
    .map((d) => {
      const p = d.position;
      const where = p ? `${displayFile(p.file, cwd)}:${p.line}:${p.column}: ` : "";
      const at = d.path.length > 0 ? `${formatPath(d.path)}: ` : "";
      const head = `${where}${at}${d.message}${d.hint ? ` (${d.hint})` : ""}\n`;
      const source = p ? linesOf(p.file)?.[p.line - 1] : undefined;
      if (source === undefined || !p) return head;
      const gutter = String(p.line).padStart(5);
      const pad = " ".repeat(gutter.length);
      return `${head}${gutter} | ${source}\n${pad} | ${" ".repeat(Math.max(0, p.column - 1))}^\n`;
    })
    .join("");
}
