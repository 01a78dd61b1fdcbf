import { plainToInstance } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, validateSync } from 'class-validator';
import { parse } from 'csv-parse/sync';
import { IsCalendarDate, IsDateWithin, TAG_PATTERN, UNIT_CODE_PATTERN, UNIT_KINDS, UNIT_SUBTYPES, type UnitKind, type UnitSubtype } from '@antq/contracts';
import { NotBlank } from '@antq/platform';
import { EARLIEST_CHANGE, LATEST_CHANGE } from '../tree/dto/unit.requests';

/** One unit in an import file. Parents are named by code: in the same file or already registered. */
export class UnitImportRow {
  @Matches(UNIT_CODE_PATTERN, { message: 'code may hold letters, digits, dot, dash and underscore only' })
  @MaxLength(64)
  code!: string;

  @IsString()
  @NotBlank({ message: 'name is empty' })
  @MaxLength(200)
  name!: string;

  @IsIn(UNIT_KINDS, { message: `kind must be one of: ${UNIT_KINDS.join(', ')}` })
  kind!: UnitKind;

  @IsOptional()
  @IsIn(UNIT_SUBTYPES, { message: `subtype must be one of: ${UNIT_SUBTYPES.join(', ')}` })
  subtype?: UnitSubtype;

  @IsOptional()
  @Matches(UNIT_CODE_PATTERN, { message: 'parentCode may hold letters, digits, dot, dash and underscore only' })
  parentCode?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be lowercase words joined by hyphens' })
  tags?: string[];

  @IsOptional()
  @IsCalendarDate()
  @IsDateWithin(EARLIEST_CHANGE, LATEST_CHANGE)
  effectiveFrom?: string;
}

/** Where a record is in its file: the line it starts on (CSV), or its 1-based position in the array (JSON). */
export type Position = { line: number } | { item: number };

/** The position alone, carried from a record to its row or rejection. */
export const positionOf = (of: Position): Position => ('line' in of ? { line: of.line } : { item: of.item });

/** "line 3" or "item 3", as rejections are reported. */
export const describePosition = (of: Position): string => ('line' in of ? `line ${of.line}` : `item ${of.item}`);

/** For listing rejections in file order (the records of one file are all numbered one way). */
export const positionNumber = (of: Position): number => ('line' in of ? of.line : of.item);

export type NumberedRow = Position & { row: UnitImportRow };

export type Rejection = Position & { code?: string; reason: string };

/** A file the command cannot read as a whole (missing, malformed, a wrong header, no units): no row is looked at. */
export class ImportFileError extends Error {}

/** Thrown when any row is rejected: nothing is imported, and every rejected row is listed. */
export class ImportRejectedError extends Error {
  constructor(readonly rejections: Rejection[]) {
    super(`${rejections.length} row${rejections.length === 1 ? '' : 's'} rejected; nothing was imported`);
  }
}

const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

function toRow(raw: Record<string, unknown>): UnitImportRow {
  const tags = raw['tags'];
  return plainToInstance(UnitImportRow, {
    code: raw['code'],
    name: raw['name'],
    kind: raw['kind'],
    subtype: blankToUndefined(raw['subtype']),
    parentCode: blankToUndefined(raw['parentCode'] ?? raw['parent_code']),
    tags: typeof tags === 'string' ? tags.split(/[;|]/).map((t) => t.trim()).filter(Boolean) : blankToUndefined(tags),
    effectiveFrom: blankToUndefined(raw['effectiveFrom'] ?? raw['effective_from']),
  });
}

/** Validates parsed records, returning good rows and one rejection per bad row. */
export function validateRows(records: ParsedRecord[]): { rows: NumberedRow[]; rejections: Rejection[] } {
  const rows: NumberedRow[] = [];
  const rejections: Rejection[] = [];
  for (const record of records) {
    const { raw, problem } = record;
    const at = positionOf(record);
    if (problem) {
      rejections.push({ ...at, code: typeof raw['code'] === 'string' ? raw['code'] : undefined, reason: problem });
      continue;
    }
    const row = toRow(raw);
    const problems = validateSync(row).flatMap((e) => Object.values(e.constraints ?? {}));
    if (problems.length) rejections.push({ ...at, code: typeof raw['code'] === 'string' ? raw['code'] : undefined, reason: problems.join('; ') });
    else rows.push({ ...at, row });
  }
  return { rows, rejections };
}

/** A record read from a file, with its position; `problem`: why it could not be read as a row. */
export type ParsedRecord = Position & {
  raw: Record<string, unknown>;
  problem?: string;
};

/** The columns a CSV header may name; the first three it must. */
export const CSV_COLUMNS = ['code', 'name', 'kind', 'subtype', 'parent_code', 'tags', 'effective_from'] as const;
const REQUIRED_COLUMNS = ['code', 'name', 'kind'];

// A misspelt column would otherwise be dropped from every row without a word (tags lost, today's date).
function checkHeader(header: string[]): string[] {
  const unknown = header.filter((column) => !(CSV_COLUMNS as readonly string[]).includes(column));
  if (unknown.length) {
    const names = unknown.map((column) => column || '(blank)').join(', ');
    throw new ImportFileError(`unknown column${unknown.length === 1 ? '' : 's'} ${names} in the header; the columns are ${CSV_COLUMNS.join(', ')}`);
  }
  const repeated = [...new Set(header.filter((column, i) => header.indexOf(column) !== i))];
  if (repeated.length) throw new ImportFileError(`column ${repeated.join(', ')} appears more than once in the header`);
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length) throw new ImportFileError(`the header lacks ${missing.join(', ')}: code, name and kind are required`);
  return header;
}

/**
 * CSV with a header naming CSV_COLUMNS (code, name and kind required; tags separated by ;).
 * A row with more or fewer fields than the header is kept, to be reported with the others.
 */
export function parseCsv(text: string): ParsedRecord[] {
  let header = false;
  let records;
  try {
    records = parse(text, {
      columns: (names: string[]) => ((header = true), checkHeader(names)),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
    }) as { record: Record<string, unknown>; raw: string; info: { lines: number; error?: Error; columns: unknown[]; index: number } }[];
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`not valid CSV: ${(error as Error).message}`);
  }
  if (!header) throw new ImportFileError('the file is empty: it needs the header and a row per unit');
  if (!records.length) throw new ImportFileError('the file holds a header and no units');
  return records.map(({ record, raw, info }) => ({
    // info.lines is where the record ends: a quoted value may span lines, so count back to its first.
    line: info.lines - lineBreaks(raw.replace(/^[\r\n]+/, '').replace(/(\r\n|\r|\n)$/, '')),
    raw: record,
    ...(info.error ? { problem: `the row has ${info.index} fields where the header names ${info.columns.length} (quote a value that holds a comma)` } : {}),
  }));
}

// Each \r and \n, as the parser counts lines.
const lineBreaks = (text: string) => text.match(/[\r\n]/g)?.length ?? 0;

/** JSON: an array of objects with the same fields (camelCase or snake_case). */
export function parseJson(text: string): ParsedRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImportFileError(`not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { units?: unknown })?.units;
  if (!Array.isArray(list)) throw new ImportFileError('the JSON file must hold an array of units (or { "units": [...] })');
  if (!list.length) throw new ImportFileError('the file holds no units');
  return list.map((entry: unknown, i) => {
    const raw = (entry ?? {}) as Record<string, unknown>;
    // A misspelt field would otherwise be dropped without a word, as a misspelt CSV column would.
    const unknown = typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw).filter((field) => !JSON_FIELDS.has(field)) : [];
    // Numbered by position, not line: a JSON file's layout is its writer's, one unit may span many lines or share one.
    return { item: i + 1, raw, ...(unknown.length ? { problem: `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the fields are ${[...JSON_FIELDS].join(', ')}` } : {}) };
  });
}

/** The fields a JSON unit may hold: the CSV columns, or their camelCase names. */
const JSON_FIELDS = new Set(['code', 'name', 'kind', 'subtype', 'parentCode', 'parent_code', 'tags', 'effectiveFrom', 'effective_from']);
