/** Plain-text tables for the terminal: aligned columns, numbers right-aligned, long cells cut. */

/** A column: its heading, how to get the cell, and its alignment. */
export interface Column<T> {
  title: string;
  cell: (row: T) => string;
  align?: 'left' | 'right';
  /** Longest cell before it is cut with an ellipsis (default 60). */
  max?: number;
}

/** Control characters from a heap must not drive the terminal: show them escaped. */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Renders rows as an aligned table with a heading. */
export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = rows.map((row) =>
    columns.map((column) => {
      const text = terminalSafe(column.cell(row));
      const max = column.max ?? 60;
      return text.length > max ? `${text.slice(0, max - 1)}…` : text;
    }),
  );
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (columns[i].align === 'right' ? value.padStart(widths[i]) : value.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n');
}
