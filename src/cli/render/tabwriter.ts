// Column alignment as Go's text/tabwriter does it with a space pad character, which the reference's
// tables go through (ps: minwidth 10, ls/images: 20, top: 5; all with padding 3). Its semantics, which
// scripts see as exact spacing:
// - a cell is text terminated by a tab; the text after a line's last tab is not part of any column;
// - a column is a run of consecutive lines that all have a cell at that index, its width the widest
//   cell plus padding (at least minwidth); a line with fewer cells ends the run;
// - a line without any tab cuts the table in two (tabwriter flushes there);
// - widths count characters (runes), not bytes.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** Aligns `text` (lines of tab-separated cells) like Go's tabwriter.NewWriter(w, minWidth, _, padding, ' ', 0). */
export function tabwrite(text: string, options: TabwriterOptions): string {
  const trailingNewline = text.endsWith("\n");
  const lines = (trailingNewline ? text.slice(0, -1) : text).split("\n").map((l) => l.split("\t"));
  const out: string[] = [];
  // Blocks separated by tab-less lines are formatted independently.
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as string[]).length === 1) {
      formatBlock(lines.slice(start, i + 1), options, out);
      start = i + 1;
    }
  }
  if (start < lines.length) formatBlock(lines.slice(start), options, out);
  return out.join("\n") + (trailingNewline ? "\n" : "");
}

const width = (s: string) => [...s].length;

function formatBlock(lines: string[][], options: TabwriterOptions, out: string[]): void {
  const rendered = lines.map(() => "");
  // widths[j] of column j for each line, filled by the recursive column-block pass.
  const lineWidths: number[][] = lines.map(() => []);
  const walk = (column: number, from: number, to: number) => {
    let i = from;
    while (i < to) {
      if (column >= (lines[i] as string[]).length - 1) {
        i++;
        continue;
      }
      const blockStart = i;
      let w = options.minWidth;
      for (; i < to && column < (lines[i] as string[]).length - 1; i++) {
        w = Math.max(w, width((lines[i] as string[])[column] as string) + options.padding);
      }
      for (let k = blockStart; k < i; k++) (lineWidths[k] as number[])[column] = w;
      walk(column + 1, blockStart, i);
    }
  };
  walk(0, 0, lines.length);
  lines.forEach((cells, i) => {
    let line = "";
    cells.forEach((cell, j) => {
      const w = (lineWidths[i] as number[])[j];
      line += w === undefined ? cell : cell + " ".repeat(Math.max(0, w - width(cell)));
    });
    rendered[i] = line;
  });
  out.push(...rendered);
}
