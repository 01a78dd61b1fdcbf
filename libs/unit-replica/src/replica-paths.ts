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

/**
 * A common table expression `ancestors_on(unit_id, on_date, ancestor, depth)`: for each row
 * (unit_id, on_date) of the relation `asked`, the unit's ancestors as they stood on that date,
 * from the replica's versions. Follow `WITH RECURSIVE` with it.
 */
export const REPLICA_ANCESTORS_ON_SQL = (asked: string) => `
  ancestors_on(unit_id, on_date, ancestor, depth) AS (
    SELECT a.unit_id, a.on_date, v.parent_id, 1 FROM ${asked} a
      JOIN replica_unit_versions v ON v.unit_id = a.unit_id AND v.valid_from <= a.on_date AND (v.valid_to IS NULL OR v.valid_to > a.on_date)
     WHERE v.parent_id IS NOT NULL
    UNION ALL
    SELECT up.unit_id, up.on_date, v.parent_id, up.depth + 1 FROM ancestors_on up
      JOIN replica_unit_versions v ON v.unit_id = up.ancestor AND v.valid_from <= up.on_date AND (v.valid_to IS NULL OR v.valid_to > up.on_date)
     WHERE v.parent_id IS NOT NULL AND up.depth < 32
  )`;
