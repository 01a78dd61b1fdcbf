import { stringify } from 'csv-stringify/sync';
import type { Request, Response } from 'express';

/** Whether the caller prefers CSV to JSON (`Accept: text/csv`, as a spreadsheet export asks). */
export function wantsCsv(request: Request): boolean {
  return request.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/**
 * A cell's text. One a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a
 * carriage return first) is kept as text by a leading apostrophe: a unit named
 * "=HYPERLINK(...)" stays a name.
 */
const asCell = (value: unknown): unknown => {
  // A list (a unit's tags) is one cell, its items separated by semicolons.
  const text = Array.isArray(value) ? value.join(';') : value;
  return typeof text === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

/**
 * Answers with rows as CSV, one column per name in `columns` under a header row, for a
 * spreadsheet: UTF-8 with a byte-order mark (so that Excel reads Vietnamese names right),
 * offered as a file download, `X-Total-Count` telling how many rows the whole query holds.
 */
export function csvAnswer<T extends object>(response: Response, filename: string, columns: (keyof T & string)[], rows: T[], total: number): string {
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  response.setHeader('X-Total-Count', String(total));
  const records = rows.map((row) => columns.map((column) => asCell((row as Record<string, unknown>)[column])));
  return `\uFEFF${stringify([columns, ...records], { record_delimiter: 'windows' })}`;
}
