import { describePosition, ImportFileError, parseCsv, parseJson, validateRows } from './unit-import-row';

describe('import files', () => {
  it('reads JSON units, an array or { units }, in camelCase or snake_case, numbering them as items from 1', () => {
    const units = [
      { code: 'NA', name: 'Tỉnh Nghệ An', kind: 'province', subtype: 'tinh', effectiveFrom: '2024-01-01' },
      { code: 'NA-NL', name: 'Huyện Nghi Lộc', kind: 'district', parent_code: 'NA', tags: ['coastal'], effective_from: '2024-01-01' },
    ];
    for (const text of [JSON.stringify(units), JSON.stringify({ units })]) {
      const { rows, rejections } = validateRows(parseJson(text));
      expect(rejections).toEqual([]);
      expect(rows.map(({ row, ...at }) => [at, row.code, row.parentCode ?? null, row.tags ?? [], row.effectiveFrom])).toEqual([
        [{ item: 1 }, 'NA', null, [], '2024-01-01'],
        [{ item: 2 }, 'NA-NL', 'NA', ['coastal'], '2024-01-01'],
      ]);
    }
  });

  it('reports each bad JSON unit by its position in the array (an item, not a line) and reason, and refuses a file that holds no list', () => {
    // Pretty-printed: the units' lines (2-6, 7-11, 12) are not their positions.
    const { rows, rejections } = validateRows(parseJson(JSON.stringify([{ code: 'OK', name: 'Tỉnh', kind: 'province' }, { code: 'X', name: 'Sao', kind: 'planet' }, null], null, 2)));
    expect(rows.map((r) => r.row.code)).toEqual(['OK']);
    expect(rejections).toEqual([
      { item: 2, code: 'X', reason: expect.stringMatching(/kind must be one of/) },
      { item: 3, code: undefined, reason: expect.stringMatching(/code/) },
    ]);
    expect(rejections.map(describePosition)).toEqual(['item 2', 'item 3']);
    expect(() => parseJson('{"unit": []}')).toThrow('the JSON file must hold an array of units');
  });

  it('reports a JSON unit with a field it does not know (a misspelling would drop it without a word)', () => {
    const { rows, rejections } = validateRows(parseJson(JSON.stringify([{ code: 'NA', name: 'Tỉnh Nghệ An', kind: 'province', tag: ['border'], effective_date: '2020-01-01' }])));
    expect(rows).toEqual([]);
    expect(rejections).toEqual([{ item: 1, code: 'NA', reason: expect.stringMatching(/^unknown fields tag, effective_date; the fields are code, name, kind, /) }]);
  });

  it('reads CSV with its header, tags separated by semicolons, numbering rows by their line in the file', () => {
    const { rows, rejections } = validateRows(parseCsv('code,name,kind,subtype,parent_code,tags,effective_from\nNA,Tỉnh Nghệ An,province,tinh,,border;coastal,2024-01-01\n'));
    expect(rejections).toEqual([]);
    expect(rows.map(({ row, ...at }) => [at, row.code, row.tags])).toEqual([[{ line: 2 }, 'NA', ['border', 'coastal']]]);
  });

  it('reports a CSV row with too many or too few fields by its line, with the other rows', () => {
    const csv = [
      'code,name,kind,subtype,parent_code,tags,effective_from',
      'NA,Tỉnh Nghệ An,province,tinh,,,2024-01-01',
      'XA,Xã A, B,commune,xa,NA,,2024-01-01',
      'XB,"Xã B, C",commune,xa,NA,,2024-01-01',
      'XC,Xã C,commune',
    ].join('\n');
    const { rows, rejections } = validateRows(parseCsv(csv));
    expect(rows.map(({ row, ...at }) => [at, row.code, row.name])).toEqual([
      [{ line: 2 }, 'NA', 'Tỉnh Nghệ An'],
      [{ line: 4 }, 'XB', 'Xã B, C'],
    ]);
    expect(rejections).toEqual([
      { line: 3, code: 'XA', reason: 'the row has 8 fields where the header names 7 (quote a value that holds a comma)' },
      { line: 5, code: 'XC', reason: 'the row has 3 fields where the header names 7 (quote a value that holds a comma)' },
    ]);
    expect(rejections.map(describePosition)).toEqual(['line 3', 'line 5']);
  });

  it('numbers a row whose quoted value spans lines by the line it starts on', () => {
    const csv = 'code,name,kind\nNA,"Tỉnh\nNghệ An",province\n\nHT,Tỉnh Hà Tĩnh,province\n';
    expect(validateRows(parseCsv(csv)).rows.map(({ row, ...at }) => [at, row.code])).toEqual([
      [{ line: 2 }, 'NA'],
      [{ line: 5 }, 'HT'],
    ]);
  });

  it('takes the required columns alone, the optional ones in any order', () => {
    const { rows, rejections } = validateRows(parseCsv('tags,kind,code,name\nborder,province,NA,Tỉnh Nghệ An\n'));
    expect(rejections).toEqual([]);
    expect(rows.map(({ row }) => [row.code, row.tags, row.parentCode])).toEqual([['NA', ['border'], undefined]]);
  });

  it.each([
    ['code,name,kind,tag,effective_date\nNA,Tỉnh Nghệ An,province,border,2024-01-01', /^unknown columns tag, effective_date in the header; the columns are code, name, kind, subtype, parent_code, tags, effective_from$/],
    ['code,name,kind,parent\nNA-NL,Huyện Nghi Lộc,district,NA', /^unknown column parent in the header; the columns are code, name, kind, subtype, parent_code, tags, effective_from$/],
    ['code,name,kind,\nNA,Tỉnh Nghệ An,province,', /^unknown column \(blank\) in the header/],
    ['code,name,subtype\nNA,Tỉnh Nghệ An,tinh', /^the header lacks kind: code, name and kind are required$/],
    ['code,name,kind,code\nNA,Tỉnh Nghệ An,province,NB', /^column code appears more than once in the header$/],
    ['code,name,kind,subtype,parent_code,tags,effective_from\n', /^the file holds a header and no units$/],
    ['\n\n', /^the file is empty: it needs the header and a row per unit$/],
    ['code,name,kind\nNA,"Tỉnh Nghệ An,province\n', /^not valid CSV: Quote Not Closed: .* at line \d+$/],
  ])('refuses the whole file, before any row, when its header or form is wrong: %j', (csv, message) => {
    expect(() => parseCsv(csv)).toThrow(ImportFileError);
    expect(() => parseCsv(csv)).toThrow(message);
  });

  it.each([
    ['[]', /^the file holds no units$/],
    ['{"units": []}', /^the file holds no units$/],
    ['{"units": [', /^not valid JSON: /],
    ['"units"', /^the JSON file must hold an array of units/],
  ])('refuses a JSON file with no units or no list: %s', (json, message) => {
    expect(() => parseJson(json)).toThrow(ImportFileError);
    expect(() => parseJson(json)).toThrow(message);
  });
});
