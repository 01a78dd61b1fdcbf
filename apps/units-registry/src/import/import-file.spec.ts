import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from './cli-options';
import { readImportFile } from './import-file';
import { ImportFileError } from './unit-import-row';

const NGHE_AN = resolve(__dirname, '../../test/fixtures/vn-admin-nghe-an.json');
const vnAdmin = { command: 'vn-admin', agency: 'a', treeFrom: '2024-01-01', reorganiseOn: '2025-07-01', reorganise: true, publishTimeout: 60 } as const;

describe('readImportFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'antq-import-file-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads CSV and JSON units into rows and rejections', () => {
    const csv = readImportFile({ command: 'units', agency: 'a', publishTimeout: 60, file: file('u.CSV', 'code,name,kind\nNA,Tỉnh Nghệ An,province\nX,Sao,planet\n') });
    expect(csv).toMatchObject({ command: 'units', rows: [{ line: 2, row: { code: 'NA' } }], rejections: [{ line: 3, code: 'X' }] });
    const json = readImportFile({ command: 'units', agency: 'a', publishTimeout: 60, file: file('u.json', '[{"code":"NA","name":"Tỉnh Nghệ An","kind":"province"}]') });
    expect(json).toMatchObject({ command: 'units', rows: [{ item: 1, row: { code: 'NA' } }], rejections: [] });
  });

  it.each([
    ['a missing file', () => join(dir, 'nowhere.csv'), /^cannot import .*nowhere\.csv: no such file$/],
    ['a directory', () => dir, /^cannot import .*: it is a directory$/],
    ['a header naming unknown columns', () => file('bad.csv', 'code,name,kind,tag\nNA,Tỉnh,province,x\n'), /^cannot import .*bad\.csv: unknown column tag in the header/],
    ['invalid JSON', () => file('bad.json', '[{'), /^cannot import .*bad\.json: not valid JSON: /],
  ])('refuses %s in one line', (_, path, message) => {
    const read = () => readImportFile({ command: 'units', agency: 'a', publishTimeout: 60, file: path() });
    expect(read).toThrow(ImportFileError);
    expect(read).toThrow(message);
  });

  it('reads the vn-admin mapping file, limited to the old provinces asked for', () => {
    const input = readImportFile({ ...vnAdmin, file: NGHE_AN, provinces: ['51'] });
    expect(input).toMatchObject({ command: 'vn-admin', plan: { abolishWithinCodes: ['VN-P-51'] } });
    expect(input.rows).toHaveLength(433);
  });

  it('refuses a --province the file does not hold, as a usage error', () => {
    const read = () => readImportFile({ ...vnAdmin, file: NGHE_AN, provinces: ['51', '99', '98'] });
    expect(read).toThrow(UsageError);
    expect(read).toThrow(/^--province: 99, 98 are no old province of .*vn-admin-nghe-an\.json \(it holds 51\)$/);
  });

  it('refuses a file of another shape than the mapping file', () => {
    const read = () => readImportFile({ ...vnAdmin, file: file('units.json', '[]') });
    expect(read).toThrow(ImportFileError);
    expect(read).toThrow(/^cannot import .*units\.json: the file must hold the provinces and wards of a vn-admin mapping file$/);
  });
});
