import type { DataSource } from 'typeorm';

/** A scan in a query plan: what it reads and how. */
export interface PlanScan {
  nodeType: string;
  relation: string;
  index: string | null;
}

/** A node of a plan as `EXPLAIN (FORMAT JSON)` gives it; the actual figures with ANALYZE. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** A plan's nodes, the root first, each before those beneath it. */
export function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** Runs a statement on the connection that holds the plan. */
export type PlanConnectionQuery = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * A statement as the services run it once prepared: its generic plan, made at the first run
 * (with `params`) and kept. `afterPlanning` then changes the data (a table grows), on the
 * same connection; the scans of the plan kept are returned, as `EXPLAIN EXECUTE` shows them.
 * This is how a test shows that a statement reads by key however the tables have grown since
 * it was planned.
 */
export async function genericPlanScans(db: DataSource, sql: string, params: unknown[], afterPlanning: (query: PlanConnectionQuery) => Promise<void>): Promise<PlanScan[]> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SET plan_cache_mode = force_generic_plan');
    await runner.query(`PREPARE planned AS ${sql}`);
    const args = params.map(sqlLiteral).join(', ');
    await runner.query(`EXECUTE planned(${args})`);
    await afterPlanning((text, values) => runner.query(text, values));
    const [{ 'QUERY PLAN': [root] }] = (await runner.query(`EXPLAIN (FORMAT JSON) EXECUTE planned(${args})`)) as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
    // A bitmap heap scan reads through the bitmap index scans beneath it.
    const indexesBelow = (node: PlanNode) => planNodes(node).flatMap((n) => (n['Index Name'] ? [n['Index Name']] : []));
    return planNodes(root.Plan).flatMap((node) =>
      /Scan$/.test(node['Node Type']) && node['Relation Name']
        ? [{ nodeType: node['Node Type'], relation: node['Relation Name'], index: node['Node Type'] === 'Bitmap Heap Scan' ? indexesBelow(node).join(',') : (node['Index Name'] ?? null) }]
        : [],
    );
  } finally {
    // The connection goes back to the pool as it came.
    await runner.query('DEALLOCATE ALL').catch(() => undefined);
    await runner.query('RESET plan_cache_mode').catch(() => undefined);
    await runner.release();
  }
}

/** A parameter as an SQL literal (EXECUTE takes no bound parameters); arrays as array literals, typed by the statement. */
function sqlLiteral(value: unknown): string {
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  if (value === null || value === undefined) return 'NULL';
  if (!Array.isArray(value)) return quote(String(value));
  const elements = value.map((e: unknown) => (e === null || e === undefined ? 'NULL' : `"${String(e).replace(/[\\"]/g, '\\$&')}"`));
  return quote(`{${elements.join(',')}}`);
}
