/** A data source, entity manager or query runner: whatever runs a query. */
type Queryable = { query(sql: string, params: unknown[]): Promise<unknown> };

/**
 * One page of a query's rows and the count of all of them, in one statement, so that the total
 * and the page agree while rows come and go. `found` is the query (it may hold its own WITH);
 * `order` orders by its columns, unqualified, and must be total for pages not to overlap;
 * `params` are its placeholders, the page's limit and offset taking the next two.
 */
export async function countedPage<R>(
  runner: Queryable,
  found: string,
  order: string,
  params: unknown[],
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: R[] }> {
  const rows = (await runner.query(
    `WITH found AS (${found})
     SELECT t.total, p.* FROM (SELECT count(*)::int AS total FROM found) t
       LEFT JOIN LATERAL (SELECT *, true AS in_page FROM found ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}) p ON true
      ORDER BY ${order}`,
    [...params, page.limit, page.offset],
  )) as ({ total: number; in_page: boolean | null } & R)[];
  // An offset past the end leaves one row holding only the total.
  return { total: rows[0]?.total ?? 0, rows: rows.filter((r) => r.in_page).map(({ total: _total, in_page: _inPage, ...row }) => row as unknown as R) };
}
