import { preparable } from './statement-preparation';

describe('preparable', () => {
  it.each([
    'SELECT unit_id, kind FROM replica_units WHERE parent_id = ANY($1::uuid[])',
    'SELECT count(*)::int AS n FROM scoreboard_queue WHERE id > $1',
    'SELECT a * b AS product FROM t WHERE id = $1',
    'INSERT INTO status_history (unit_id, sequence) SELECT * FROM unnest($1::uuid[], $2::int[]) ON CONFLICT DO NOTHING',
    'DELETE FROM scoreboard_queue WHERE id IN (SELECT id FROM scoreboard_queue ORDER BY id LIMIT $1) RETURNING unit_id, subtree',
  ])('prepares a statement whose result columns are spelled out: %s', (text) => {
    expect(preparable(text)).toBe(true);
  });

  it.each([
    'SELECT * FROM pg_database WHERE datname = $1',
    'SELECT u.* FROM units u WHERE u.id = $1',
    'SELECT u.*, 1 AS one FROM units u WHERE u.id = $1',
    'SELECT * FROM unnest($1::int[])',
    'UPDATE units SET name = $1 WHERE id = $2 RETURNING *',
    'INSERT INTO units (id) SELECT * FROM unnest($1::uuid[]) RETURNING id',
  ])('leaves a statement whose result columns a migration could change: %s', (text) => {
    expect(preparable(text)).toBe(false);
  });
});
