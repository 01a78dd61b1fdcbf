import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { ReorganisationPlan } from '../tree/tree.service';
import { UsageError, type ImportCommand } from './cli-options';
import { ImportFileError, parseCsv, parseJson, validateRows, type NumberedRow, type Rejection } from './unit-import-row';
import { oldProvinceIds, readVnAdmin, vnAdminFile } from './vn-admin';

/** The command with what it imports, read from its file. */
export type ImportInput =
  | (Extract<ImportCommand, { command: 'units' }> & { rows: NumberedRow[]; rejections: Rejection[] })
  | (Extract<ImportCommand, { command: 'vn-admin' }> & { rows: NumberedRow[]; plan: ReorganisationPlan });

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' };

/**
 * Reads and checks the whole file before the command opens any connection: a file it cannot
 * use throws ImportFileError, and a --province it does not hold UsageError, each in one line.
 */
export function readImportFile(options: Exclude<ImportCommand, { command: 'help' }>): ImportInput {
  const { file } = options;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new ImportFileError(`cannot import ${file}: ${READ_ERRORS[code] ?? (error as Error).message}`);
  }
  try {
    if (options.command === 'units') {
      // Rows with format problems are listed with those the tree's rules reject, in one run.
      return { ...options, ...validateRows(extname(file).toLowerCase() === '.csv' ? parseCsv(text) : parseJson(text)) };
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ImportFileError(`not valid JSON: ${(error as Error).message}`);
    }
    const mapping = vnAdminFile(data);
    const held = oldProvinceIds(mapping);
    const unknown = options.provinces?.filter((id) => !held.includes(id)) ?? [];
    if (unknown.length) {
      throw new UsageError(`--province: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} no old province of ${file} (it holds ${held.join(', ')})`);
    }
    const selection = options.provinces ? { oldProvinceIds: options.provinces } : {};
    return { ...options, ...readVnAdmin(mapping, options.treeFrom, options.reorganiseOn, selection) };
  } catch (error) {
    if (error instanceof ImportFileError) throw new ImportFileError(`cannot import ${file}: ${error.message}`);
    throw error;
  }
}
