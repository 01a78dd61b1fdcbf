import { randomUUID } from 'node:crypto';
import { genericPlanScans, schemaAfter, type EarlierSchema, type PlanConnectionQuery } from '@antq/testing';
import { CAMPAIGNS } from '../service.definition';
import { WRITE_STATUSES_SQL } from './status-events.handler';

/**
 * The status write runs prepared, so its generic plan is made once, often while the history
 * is nearly empty, and kept as it grows (without ANALYZE nothing replans it). It must read
 * stored history by key, never all of it, whatever the plan was made on.
 */
let schema: EarlierSchema;

const addHistory = (query: PlanConnectionQuery, units: string[], sequence: number, from: string) =>
  query(
    `INSERT INTO status_history (unit_id, programme, sequence, status, valid_from)
     SELECT unnest($1::uuid[]), 'drug-free', $2, 'recognised', $3::date`,
    [units, sequence, from],
  );

/** The statement's parameters for one change per unit, each to `sequence` from `from`. */
const changes = (units: string[], sequence: number, from: string) => [
  units,
  units.map(() => 'drug-free'),
  units.map(() => sequence),
  units.map(() => 'not-recognised'),
  units.map(() => from),
  units.map(() => null),
  units,
  units.map(() => 'drug-free'),
  units.map(() => 'commune'),
  units.map(() => 'not-recognised'),
  units.map(() => null),
  units.map(() => null),
  units.map(() => from),
  units.map(() => sequence),
];

beforeAll(async () => {
  schema = await schemaAfter(CAMPAIGNS, CAMPAIGNS.migrations[CAMPAIGNS.migrations.length - 1]);
});

afterAll(() => schema?.drop());

it('reads stored history by key in a plan made on a nearly empty history, after it has grown', async () => {
  const first = [randomUUID(), randomUUID()];
  const later = [randomUUID(), randomUUID()];
  await addHistory((sql, params) => schema.db.query(sql, params), [...first, ...later], 1, '2024-03-01');
  const scans = await genericPlanScans(schema.db, WRITE_STATUSES_SQL, changes(first, 2, '2024-05-01'), async (query) => {
    await addHistory(
      query,
      Array.from({ length: 5_000 }, () => randomUUID()),
      1,
      '2024-03-01',
    );
  });

  const historyReads = scans.filter((s) => s.relation === 'status_history');
  expect(historyReads.length).toBeGreaterThan(0);
  expect(historyReads.filter((s) => s.index !== 'status_history_pkey')).toEqual([]);

  // And it still writes what it should: the predecessor ends where the change begins.
  await schema.db.query(WRITE_STATUSES_SQL, changes(later, 2, '2024-07-01'));
  const rows = (await schema.db.query(
    `SELECT sequence, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, to_char(valid_to, 'YYYY-MM-DD') AS valid_to
       FROM status_history WHERE unit_id = $1 ORDER BY sequence`,
    [later[0]],
  )) as unknown[];
  expect(rows).toEqual([
    { sequence: 1, valid_from: '2024-03-01', valid_to: '2024-07-01' },
    { sequence: 2, valid_from: '2024-07-01', valid_to: null },
  ]);
});
