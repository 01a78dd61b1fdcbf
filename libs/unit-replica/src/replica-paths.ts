/**
 * The ancestors of a unit in the replica (`replica_units`), nearest first, as a SQL array
 * expression over `unit` (a column or a parameter). The one way every service walks up its
 * replica: authority checks, scoreboards, campaign scopes.
 */
export const REPLICA_ANCESTORS_SQL = (unit: string) => `ARRAY(
  WITH RECURSIVE up(id, depth) AS (
    SELECT path_unit.parent_id, 1 FROM replica_units path_unit WHERE path_unit.unit_id = ${unit} AND path_unit.parent_id IS NOT NULL
    UNION ALL
    SELECT path_up.parent_id, up.depth + 1 FROM replica_units path_up JOIN up ON path_up.unit_id = up.id
     WHERE path_up.parent_id IS NOT NULL AND up.depth < 32
  ) SELECT id FROM up ORDER BY depth)`;

/**
 * Common table expressions for the replica's tree as it stood on `date`: `versions_as_of`
 * (every active unit then) and `subtree` (the versions under `root`, or all of them when
 * `root` is NULL). Follow `WITH RECURSIVE` with it; `root` and `date` are SQL expressions.
 */
export const REPLICA_SUBTREE_AS_OF_SQL = (root: string, date: string) => `
  versions_as_of AS (
    SELECT * FROM replica_unit_versions
     WHERE valid_from <= ${date} AND (valid_to IS NULL OR valid_to > ${date}) AND status = 'active'
  ), subtree AS (
    SELECT * FROM versions_as_of WHERE ${root} IS NULL OR parent_id = ${root}
    UNION
    SELECT v.* FROM versions_as_of v JOIN subtree s ON v.parent_id = s.unit_id WHERE ${root} IS NOT NULL
  )`;
