import type { Response } from 'express';
import { csvAnswer } from './csv';

function answer(rows: Record<string, unknown>[]) {
  const headers = new Map<string, string>();
  const response = { setHeader: (name: string, value: string) => headers.set(name, value) } as unknown as Response;
  const body = csvAnswer(response, 'statuses drug-free 2024/12/31.csv', ['code', 'name', 'score'], rows, 42);
  return { headers, body };
}

describe('csvAnswer', () => {
  it('writes a header row and one row per item, quoted where CSV needs it, with a byte-order mark', () => {
    const { headers, body } = answer([
      { code: 'NA-1', name: 'Xã Nghi Thạch', score: 95 },
      { code: 'NA-2', name: 'Phường "Trung tâm", Vinh', score: null },
    ]);
    expect(body).toBe('\uFEFFcode,name,score\r\nNA-1,Xã Nghi Thạch,95\r\nNA-2,"Phường ""Trung tâm"", Vinh",\r\n');
    expect(Object.fromEntries(headers)).toEqual({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="statuses_drug-free_2024_12_31.csv"',
      'X-Total-Count': '42',
    });
  });

  it('writes a list as one cell, its items separated by semicolons', () => {
    const { body } = answer([{ code: 'NA', name: ['border', 'coastal'], score: [] }]);
    expect(body.split('\r\n')[1]).toBe('NA,border;coastal,');
  });

  it('keeps as text a cell a spreadsheet would run as a formula', () => {
    const { body } = answer([{ code: '-1', name: '=HYPERLINK("http://x")', score: -5 }, { code: '@a', name: '+1', score: 0 }]);
    expect(body.split('\r\n').slice(1, 3)).toEqual([`'-1,"'=HYPERLINK(""http://x"")",-5`, `'@a,'+1,0`]);
  });
});
