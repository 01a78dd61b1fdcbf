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
