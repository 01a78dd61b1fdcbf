import { plainToInstance } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, validateSync } from 'class-validator';
import { parse } from 'csv-parse/sync';
import { IsCalendarDate, TAG_PATTERN, UNIT_CODE_PATTERN, UNIT_KINDS, UNIT_SUBTYPES, type UnitKind, type UnitSubtype } from '@antq/contracts';

/** One unit in an import file. Parents are named by code: in the same file or already registered. */
export class UnitImportRow {
  @Matches(UNIT_CODE_PATTERN, { message: 'code may hold letters, digits, dot, dash and underscore only' })
  @MaxLength(64)
  code!: string;

  @IsString()
  @IsNotEmpty({ message: 'name is empty' })
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
  effectiveFrom?: string;
}

export interface NumberedRow {
  /** Line in the file (CSV) or 1-based position in the array (JSON). */
  line: number;
  row: UnitImportRow;
}

export interface Rejection {
  line: number;
  code?: string;
  reason: string;
}

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
  for (const { line, raw, problem } of records) {
    if (problem) {
      rejections.push({ line, code: typeof raw['code'] === 'string' ? raw['code'] : undefined, reason: problem });
      continue;
    }
    const row = toRow(raw);
    const problems = validateSync(row).flatMap((e) => Object.values(e.constraints ?? {}));
    if (problems.length) rejections.push({ line, code: typeof raw['code'] === 'string' ? raw['code'] : undefined, reason: problems.join('; ') });
    else rows.push({ line, row });
  }
  return { rows, rejections };
}

/** A record read from a file, by line; `problem`: why it could not be read as a row. */
export interface ParsedRecord {
  line: number;
  raw: Record<string, unknown>;
  problem?: string;
}

/**
 * CSV with a header: code,name,kind,subtype,parent_code,tags (separated by ;),effective_from.
 * A row with more or fewer fields than the header is kept, to be reported with the others.
 */
export function parseCsv(text: string): ParsedRecord[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true, relax_column_count: true }) as {
    record: Record<string, unknown>;
    info: { lines: number; error?: Error; columns: unknown[]; index: number };
  }[];
  return records.map(({ record, info }) => ({
    line: info.lines,
    raw: record,
    ...(info.error ? { problem: `the row has ${info.index} fields where the header names ${info.columns.length} (quote a value that holds a comma)` } : {}),
  }));
}

/** JSON: an array of objects with the same fields (camelCase or snake_case). */
export function parseJson(text: string): ParsedRecord[] {
  const data = JSON.parse(text) as unknown;
  const list = Array.isArray(data) ? data : (data as { units?: unknown })?.units;
  if (!Array.isArray(list)) throw new Error('The JSON file must hold an array of units (or { "units": [...] })');
  return list.map((raw, i) => ({ line: i + 1, raw: (raw ?? {}) as Record<string, unknown> }));
}
