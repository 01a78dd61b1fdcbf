import { Injectable } from '@nestjs/common';
import type { Actor } from '@antq/contracts';
import { DomainError } from '@antq/platform';
import type { TreeChangeSet } from '../tree/tree-change-set';
import { CREATING, TreeService } from '../tree/tree.service';
import { describePosition, ImportRejectedError, positionNumber, positionOf, type NumberedRow, type Rejection } from './unit-import-row';

export interface ImportProgress {
  (done: number, total: number): void;
}

/**
 * Bulk import in one transaction: rows are ordered so that parents come first, every rule
 * of the tree applies to every row, and any rejected row means nothing is written.
 */
@Injectable()
export class UnitImporter {
  constructor(private readonly tree: TreeService) {}

  /**
   * `rejected` are rows already refused (their format, say): they are reported with the
   * rows the tree's rules reject, and rows under them are rejected as under a rejected parent.
   */
  async import(rows: NumberedRow[], actor: Actor, defaultDate: string, progress?: ImportProgress, rejected: Rejection[] = []): Promise<{ created: number }> {
    return this.tree.change(actor, async (set) => this.createAll(set, rows, defaultDate, progress, rejected), CREATING);
  }

  async createAll(set: TreeChangeSet, rows: NumberedRow[], defaultDate: string, progress?: ImportProgress, rejected: Rejection[] = []): Promise<{ created: number }> {
    // An operator's bulk load (the command acts as admin): it may create provinces, which only an admin creates.
    set.requireAdmin('import units');
    const rejections: Rejection[] = [...rejected];
    const rejectedCodes = new Set(rejected.map((r) => r.code).filter((code): code is string => !!code));
    const byCode = new Map<string, NumberedRow>();
    for (const item of rows) {
      const first = byCode.get(item.row.code);
      if (first) rejections.push({ ...positionOf(item), code: item.row.code, reason: `code ${item.row.code} repeats ${describePosition(first)}` });
      else byCode.set(item.row.code, item);
    }
    const taken = new Set(await set.manager.query('SELECT code FROM units WHERE code = ANY($1::text[])', [[...byCode.keys()]]).then((r: { code: string }[]) => r.map((x) => x.code)));
    for (const code of taken) {
      const item = byCode.get(code) as NumberedRow;
      rejections.push({ ...positionOf(item), code, reason: `code ${code} is already registered` });
      byCode.delete(code);
    }
    const outsideParents = [...new Set([...byCode.values()].map((r) => r.row.parentCode).filter((c): c is string => !!c && !byCode.has(c)))];
    const registered = await set.manager
      .query('SELECT id, code FROM units WHERE code = ANY($1::text[])', [outsideParents])
      .then((r: { id: string; code: string }[]) => new Map(r.map((x) => [x.code, x.id])));
    await set.load(registered.values());
    await set.reserveCodes([...byCode.keys()]);

    const ordered = orderParentsFirst([...byCode.values()], rejections, (code) => registered.has(code), (code) => rejectedCodes.has(code));
    const idOf = new Map(registered);
    const operationId = set.operation('import', defaultDate, { rows: rows.length });
    let done = 0;
    for (const item of ordered) {
      const { row } = item;
      try {
        const parentId = row.parentCode ? idOf.get(row.parentCode) : undefined;
        if (row.parentCode && !parentId) throw new ImportRowError(`parent ${row.parentCode} was rejected`);
        const state = await set.create(operationId, { code: row.code, name: row.name, kind: row.kind, subtype: row.subtype, parentId, tags: row.tags }, row.effectiveFrom ?? defaultDate);
        idOf.set(row.code, state.id);
      } catch (error) {
        if (!(error instanceof DomainError || error instanceof ImportRowError)) throw error;
        rejections.push({ ...positionOf(item), code: row.code, reason: error.message });
      }
      if (++done % 500 === 0) progress?.(done, ordered.length);
    }
    progress?.(ordered.length, ordered.length);
    if (rejections.length) throw new ImportRejectedError(rejections.sort((a, b) => positionNumber(a) - positionNumber(b)));
    return { created: ordered.length };
  }
}

class ImportRowError extends Error {}

/** Parents before children; rows whose parent is unknown or in a cycle are rejected. */
function orderParentsFirst(rows: NumberedRow[], rejections: Rejection[], isRegistered: (code: string) => boolean, isRejected: (code: string) => boolean): NumberedRow[] {
  const byCode = new Map(rows.map((r) => [r.row.code, r]));
  const state = new Map<string, 'visiting' | 'done' | 'rejected'>();
  const ordered: NumberedRow[] = [];
  const visit = (item: NumberedRow, path: string[]): boolean => {
    const code = item.row.code;
    const seen = state.get(code);
    if (seen === 'done') return true;
    if (seen === 'rejected') return false;
    if (seen === 'visiting') {
      rejections.push({ ...positionOf(item), code, reason: `parent chain loops: ${[...path, code].join(' > ')}` });
      state.set(code, 'rejected');
      return false;
    }
    state.set(code, 'visiting');
    const parentCode = item.row.parentCode;
    if (parentCode && !byCode.has(parentCode) && isRejected(parentCode)) {
      rejections.push({ ...positionOf(item), code, reason: `parent ${parentCode} was rejected` });
      state.set(code, 'rejected');
      return false;
    }
    if (parentCode && !byCode.has(parentCode) && !isRegistered(parentCode)) {
      rejections.push({ ...positionOf(item), code, reason: `parent ${parentCode} is neither in the file nor registered` });
      state.set(code, 'rejected');
      return false;
    }
    const parent = parentCode ? byCode.get(parentCode) : undefined;
    if (parent && !visit(parent, [...path, code])) {
      if (state.get(code) !== 'rejected') rejections.push({ ...positionOf(item), code, reason: `parent ${parentCode} was rejected` });
      state.set(code, 'rejected');
      return false;
    }
    state.set(code, 'done');
    ordered.push(item);
    return true;
  };
  for (const item of rows) visit(item, []);
  return ordered;
}
