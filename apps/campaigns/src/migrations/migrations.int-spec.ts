import { randomUUID } from 'node:crypto';
import { schemaAfter, type EarlierSchema } from '@antq/testing';
import { CAMPAIGNS } from '../service.definition';
import { TargetAmendments1764100018000 } from './1764100018000-target-amendments';

let schema: EarlierSchema;

beforeAll(async () => {
  // The schema as it stood before stored progress kept the goal it was measured against.
  schema = await schemaAfter(CAMPAIGNS, TargetAmendments1764100018000);
});

afterAll(() => schema?.drop());

it('takes the current goal as the one stored progress was measured against, and leaves targets never evaluated without one', async () => {
  const campaign = randomUUID();
  await schema.db.query(
    `INSERT INTO campaigns (id, name, scope_unit_id, period_start, period_end, agency, created_by) VALUES ($1, 'c', $2, '2024-01-01', '2024-12-31', 'ubnd-q', 'ubnd-q/planner')`,
    [campaign, randomUUID()],
  );
  const target = (position: number, goal: number, evaluated: boolean) =>
    schema.db.query(
      `INSERT INTO campaign_targets (id, campaign_id, position, kind, label, programme, status, unit_kind, mode, goal, value, state, evaluated_on)
       VALUES ($1, $2, $3, 'count', 'l', 'drug-free', 'recognised', 'commune', 'absolute', $4, $5, $6, $7)`,
      [randomUUID(), campaign, position, goal, evaluated ? 3 : null, evaluated ? 'on-track' : null, evaluated ? '2024-06-01' : null],
    );
  await target(0, 30, true);
  await target(1, 12, false);

  expect(await schema.migrateRest()).toContain('EvaluatedGoal1764100019000');

  expect((await schema.db.query('SELECT position, evaluated_goal::float8 AS goal FROM campaign_targets ORDER BY position')) as unknown[]).toEqual([
    { position: 0, goal: 30 },
    { position: 1, goal: null },
  ]);
});
