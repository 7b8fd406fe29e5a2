// The two ways the reference prints lists. `ps` goes through the docker CLI's formatter Context
// (`--format table|json|<template>`, `table <template>` for a custom table with headers); `ls` and
// `images` through compose's own PrintPrettySection (a fixed table) or a JSON array.
import { goJson } from "./go-format.js";
import { headerFunctions, headerMap, parseTemplate, type TemplateData } from "./go-template.js";
import { tabwrite } from "./tabwriter.js";

export interface FormatContext {
  /** Field name → column header, for `table` formats (the docker CLI's SubHeaderContext). */
  headers: Record<string, string>;
  /** The template `table` stands for. */
  defaultTable: string;
}

/**
 * The docker CLI's formatter.Context.Write: `table` (or "") is the default table, `table TEMPLATE` a
 * table of that template with a header row, `json` one JSON object per line, anything else a template
 * printed once per row. Tables are aligned like tabwriter.NewWriter(out, 10, 1, 3, ' ', 0).
 */
export function formatRows(format: string, rows: readonly TemplateData[], context: FormatContext): string {
  const isTable = format === "" || format.startsWith("table");
  let source = format;
  if (format === "" || format === "table") source = context.defaultTable;
  if (source.startsWith("table")) source = source.slice("table".length);
  else if (format === "json") source = "{{json .}}";
  source = source
    .replace(/^ +| +$/g, "")
    .replaceAll("\\t", "\t")
    .replaceAll("\\n", "\n");
  const template = parseTemplate(source);
  const body = rows.map((row) => `${template.execute(row)}\n`).join("");
  if (!isTable) return body;
  const header = parseTemplate(source, headerFunctions).execute(headerMap(context.headers));
  return tabwrite(`${header}\n${body}`, { minWidth: 10, padding: 3 });
}

/** compose's PrintPrettySection: a header row and tab-separated rows, tabwriter(20, 1, 3). */
export function prettySection(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const text = [headers, ...rows].map((cells) => `${cells.join("\t")}\n`).join("");
  return tabwrite(text, { minWidth: 20, padding: 3 });
}

/** compose's formatter.Print for `--format json` of a list: one JSON array, HTML not escaped. */
export function jsonArray(items: readonly unknown[]): string {
  return `${JSON.stringify(items)}\n`;
}

export { goJson };
