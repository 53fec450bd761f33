import { type PgQueryable, orderColumn } from './pg-pool';

export interface PgWhere {
  where: string;
  params: unknown[];
}

export interface PgPage {
  limit: number;
  offset: number;
  sortBy: string;
  sortOrder: 'asc' | 'desc';
}

/**
 * One page of `table` matching `filter`, and how many rows match in all (for `X-Pagination-Total`).
 * `sortBy` must already be checked against the table's sortable columns; ties break on `idColumn`.
 */
export async function searchPage<Row>(
  db: PgQueryable,
  table: string,
  idColumn: string,
  filter: PgWhere,
  page: PgPage,
): Promise<{ rows: Row[]; total: number }> {
  const order = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
  const n = filter.params.length;
  const { rows } = await db.query(
    `SELECT *, COUNT(*) OVER () AS total FROM ${table} ${filter.where}
     ORDER BY ${orderColumn(page.sortBy)} ${order}, ${idColumn} COLLATE "C" ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...filter.params, page.limit, page.offset],
  );
  // A page past the end has no row to carry the window count.
  const total = rows[0] ? Number(rows[0]['total']) : page.offset > 0 ? await countRows(db, table, filter) : 0;
  return { rows: rows as Row[], total };
}

export async function countRows(db: PgQueryable, table: string, filter: PgWhere): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table} ${filter.where}`, filter.params);
  return Number(rows[0]?.n ?? 0);
}
