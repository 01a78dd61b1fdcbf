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

/** SQL: the replica version `v` was in force and active on `date`. */
const ACTIVE_ON = (v: string, date: string) => `${v}.valid_from <= ${date} AND (${v}.valid_to IS NULL OR ${v}.valid_to > ${date}) AND ${v}.status = 'active'`;

/**
 * A common table expression `subtree`: the versions of the replica's units active on `date`
 * under `root` (SQL expressions; `root` a unit id), or, for a `root` of null, every unit
 * active then. Follow `WITH RECURSIVE` with it.
 */
export const REPLICA_SUBTREE_AS_OF_SQL = (root: string | null, date: string) =>
  root === null
    ? `subtree AS (SELECT v.* FROM replica_unit_versions v WHERE ${ACTIVE_ON('v', date)})`
    : `
  subtree AS (
    SELECT v.* FROM replica_unit_versions v WHERE v.parent_id = ${root} AND ${ACTIVE_ON('v', date)}
    UNION
    -- Each level's children by the parent index: a plain join here is planned as a scan of
    -- every version (the planner cannot tell how few units a level holds), ten times slower
    -- for a province; OFFSET 0 keeps the lookup per parent.
    SELECT children.* FROM subtree s CROSS JOIN LATERAL (
      SELECT v.* FROM replica_unit_versions v WHERE v.parent_id = s.unit_id AND ${ACTIVE_ON('v', date)} OFFSET 0
    ) children
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
