import { randomUUID } from 'node:crypto';
import { genericPlanScans, schemaAfter, type EarlierSchema, type PlanConnectionQuery } from '@antq/testing';
import { ASSESSMENTS } from '../service.definition';
import { DERIVATION_COUNT_SQL } from './unit-status.service';

/**
 * The derivation count runs prepared, so its generic plan is made once, often while the
 * statuses table is nearly empty, and kept as the table grows (without ANALYZE nothing
 * replans it). It must read statuses by key whatever the plan was made on.
 */
let schema: EarlierSchema;
const district = randomUUID();
const communes = Array.from({ length: 15 }, () => randomUUID());

const addStatuses = (query: PlanConnectionQuery, units: string[], status: string) =>
  query(
    `INSERT INTO unit_statuses (unit_id, programme, unit_kind, status, since, source, sequence)
     SELECT unnest($1::uuid[]), 'drug-free', 'commune', $2, '2024-06-01', 'assessment', 1`,
    [units, status],
  );

beforeAll(async () => {
  schema = await schemaAfter(ASSESSMENTS, ASSESSMENTS.migrations[ASSESSMENTS.migrations.length - 1]);
  await schema.db.query(
    `INSERT INTO replica_units (unit_id, code, name, kind, parent_id, status, effective_from, version)
     SELECT u.id, u.id::text, 'unit', u.kind, u.parent, 'active', '2024-01-01', 1
       FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS u(id, kind, parent)`,
    [[district, ...communes], ['district', ...communes.map(() => 'commune')], [null, ...communes.map(() => district)]],
  );
  await addStatuses((sql, params) => schema.db.query(sql, params), communes.slice(0, 4), 'recognised');
});

afterAll(() => schema?.drop());

it('reads statuses by primary key in a plan made on a nearly empty table, after it has grown', async () => {
  const params = [[district], 'drug-free', ['district'], ['commune']];
  const scans = await genericPlanScans(schema.db, DERIVATION_COUNT_SQL, params, async (query) => {
    // Thousands of other units' statuses under the same programme, as a national rollout leaves.
    await addStatuses(
      query,
      Array.from({ length: 5_000 }, () => randomUUID()),
      'recognised',
    );
    await addStatuses(query, communes.slice(4, 10), 'recognised');
  });

  const statusReads = scans.filter((s) => s.relation === 'unit_statuses');
  expect(statusReads.length).toBeGreaterThan(0);
  expect(statusReads).toEqual(statusReads.map(() => ({ nodeType: 'Index Scan', relation: 'unit_statuses', index: 'unit_statuses_pkey' })));

  expect(await schema.db.query(DERIVATION_COUNT_SQL, params)).toEqual([expect.objectContaining({ unit_id: district, kind: 'district', status: null, children: 15, recognised: 10 })]);
});
