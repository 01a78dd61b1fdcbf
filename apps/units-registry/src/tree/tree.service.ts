import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { foldForSearch, type UnitKind } from '@antq/contracts';
import { EventFactory, OutboxService, type AntqClsStore } from '@antq/messaging';
import { uniqueViolation } from '@antq/persistence';
import { ConflictError, NotFoundError, RuleViolationError } from '@antq/platform';
import { TreeChangeSet, type Caller, type NewUnitSpec, type UnitPatch } from './tree-change-set';
import { TreeRepository, type StructureLock } from './tree.repository';
import type { UnitState } from './unit-state';

export type MergeTarget = { unitId: string } | Omit<NewUnitSpec, 'kind'>;
/** A split successor, existing or new, and the source's children (ids) that move to it. */
export type SplitSuccessor = ({ unitId: string } | Omit<NewUnitSpec, 'kind'>) & { childIds?: string[] };

export interface ReorganisationPlan {
  effectiveFrom: string;
  /** New provinces and the old provinces (codes) they were formed from. */
  provinces: { code: string; name: string; subtype: NewUnitSpec['subtype']; predecessorCodes: string[] }[];
  /** New communes, their new province (code) and the old communes (codes) they were formed from. */
  communes: { code: string; name: string; subtype: NewUnitSpec['subtype']; provinceCode: string; predecessorCodes: string[] }[];
  /** The level abolished on the same date. */
  abolishKind: UnitKind;
  /** Units (codes) within which alone the level is abolished, one abolition each; everywhere when absent. */
  abolishWithinCodes?: string[];
}

export interface ReorganisationResult {
  provincesCreated: number;
  provincesContinued: number;
  communesCreated: number;
  communesContinued: number;
  merged: number;
  split: number;
  levelUnitsClosed: number;
}

const STRUCTURAL = { structure: 'exclusive' } as const;
/** Creations wait for structural changes in progress, and those for them (see TreeRepository.lockStructure). */
export const CREATING = { structure: 'shared' } as const;

/** The code a change found taken by the units' unique code index, if that is how it failed. */
function takenCode(error: unknown): string | undefined {
  const violation = uniqueViolation(error);
  if (violation?.constraint !== 'units_code_key') return undefined;
  return /\(code\)=\((.*)\) already exists/.exec(violation.detail)?.[1] ?? '';
}

const isExisting = (t: MergeTarget | SplitSuccessor): t is { unitId: string } => 'unitId' in t;

/**
 * Structural changes to the unit tree. Each runs in one transaction: the versions, the
 * lineage, the operation record and the events commit together or not at all. A caller
 * other than an admin changes only units within its jurisdiction on the change's date (see
 * TreeChangeSet.requireWithinJurisdiction): each operation names the units it touches once
 * they are known to exist, before it changes any, so a refusal leaves nothing behind.
 */
@Injectable()
export class TreeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: TreeRepository,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {}

  /**
   * Runs work on a change set and commits it with its events. A structural change (one
   * that may move units) takes the structure lock first, exclusively; one that creates units,
   * shared. See TreeRepository.lockStructure.
   */
  async change<T>(actor: Caller, work: (set: TreeChangeSet) => Promise<T>, { structure }: { structure?: StructureLock } = {}): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const set = await TreeChangeSet.open(manager, this.repository, actor, this.cls.get('correlationId') ?? 'none');
        if (structure) await set.lockStructure(structure);
        const result = await work(set);
        await set.flush();
        await set.publish(this.events, this.outbox);
        return result;
      });
    } catch (error) {
      // Two changes registering one code at once both pass reserveCodes; the unique index stops the second.
      const code = takenCode(error);
      if (code !== undefined) throw new ConflictError(`Unit code already in use${code ? `: ${code}` : ''} (registered meanwhile by another change)`, code ? { codes: [code] } : undefined);
      throw error;
    }
  }

  create(spec: NewUnitSpec, date: string, actor: Caller): Promise<UnitState> {
    return this.change(actor, async (set) => {
      await set.reserveCodes([spec.code]);
      await set.requireMayCreateUnder(spec.parentId, spec.code, date);
      return set.create(set.operation('create', date, { code: spec.code }), spec, date);
    }, CREATING);
  }

  update(id: string, patch: UnitPatch, date: string, actor: Caller): Promise<UnitState> {
    return this.change(actor, async (set) => {
      await this.requireTarget(set, id);
      await set.requireWithinJurisdiction([id], date);
      return set.update(set.operation('update', date, { unitId: id, patch }), id, patch, date);
    });
  }

  move(id: string, parentId: string, date: string, actor: Caller): Promise<UnitState> {
    return this.change(actor, async (set) => {
      await this.requireTarget(set, id);
      await set.require([parentId], 'Parent unit');
      // Out of where it stands and into where it goes.
      await set.requireWithinJurisdiction([id, parentId], date);
      return set.move(set.operation('move', date, { unitId: id, parentId }), id, parentId, date);
    }, STRUCTURAL);
  }

  close(id: string, date: string, actor: Caller): Promise<UnitState> {
    return this.change(actor, async (set) => {
      await this.requireTarget(set, id);
      await set.requireWithinJurisdiction([id], date);
      return set.close(set.operation('close', date, { unitId: id }), id, date);
    });
  }

  /** Many units into one, new or existing: children move to the target, sources close. */
  merge(sourceIds: string[], target: MergeTarget, date: string, actor: Caller): Promise<UnitState> {
    return this.change(actor, async (set) => {
      const sources = [...new Set(sourceIds)];
      if (sources.length < sourceIds.length) {
        const repeated = sourceIds.filter((id, i) => sourceIds.indexOf(id) !== i);
        throw new RuleViolationError(`A merge names each source once (${[...new Set(repeated)].join(', ')} is named more than once)`);
      }
      if (isExisting(target) && sources.includes(target.unitId)) {
        throw new RuleViolationError('The merge target cannot also be one of its sources');
      }
      if (sources.length < (isExisting(target) ? 1 : 2)) throw new RuleViolationError('A merge needs at least two units');
      await set.require(sources, 'Source unit');
      if (isExisting(target)) await set.require([target.unitId], 'Target unit');
      else await set.reserveCodes([target.code]);
      const states = sources.map((id) => set.state(id));
      if (isExisting(target)) await set.requireWithinJurisdiction([...sources, target.unitId], date);
      else {
        await set.requireWithinJurisdiction(sources, date);
        await set.requireMayCreateUnder(target.parentId ?? states[0].parentId, target.code, date);
      }
      const kind = states[0].kind;
      const targetState = isExisting(target) ? await set.requirePlacedOn(target.unitId, date, 'Target unit') : undefined;
      if (states.some((s) => s.kind !== kind) || (targetState && targetState.kind !== kind)) {
        throw new RuleViolationError(`Only units of one kind can be merged (found ${[...new Set([...states, ...(targetState ? [targetState] : [])].map((s) => s.kind))].join(', ')})`);
      }
      // The target's parent counts like the sources' (an existing target's, or the one a new
      // target is given): merging into it is merging across parents.
      const newTarget = isExisting(target) || target.parentId === undefined ? [] : [{ code: target.code, parentId: target.parentId }];
      this.checkSameParent(set, [...states, ...(targetState ? [targetState] : newTarget)], kind, date);
      const operationId = set.operation('merge', date, { sourceIds: sources, target });
      const merged = isExisting(target)
        ? set.state(target.unitId)
        : await set.create(operationId, { ...target, kind, parentId: target.parentId ?? states[0].parentId }, date);
      for (const child of await set.childrenOn(sources, date)) await set.move(operationId, child.id, merged.id, date);
      for (const id of sources) set.close(operationId, id, date, 'merged', [merged.id]);
      set.recordMerge(operationId, sources, merged.id, date, isExisting(target));
      return set.state(merged.id);
    }, STRUCTURAL);
  }

  /**
   * One unit into several, new or existing; the source closes. Its active children on the
   * date move, each to the one successor whose childIds name it, as a merge moves the sources'.
   */
  split(sourceId: string, successors: SplitSuccessor[], date: string, actor: Caller): Promise<UnitState[]> {
    return this.change(actor, async (set) => {
      await this.requireTarget(set, sourceId);
      if (successors.length < 2) throw new RuleViolationError('A split needs at least two successors');
      const source = set.state(sourceId);
      const existing = successors.filter(isExisting).map((s) => s.unitId);
      const repeated = existing.filter((id, i) => existing.indexOf(id) !== i);
      if (repeated.length) throw new RuleViolationError(`A split names each successor once (${[...new Set(repeated)].join(', ')} is named more than once)`);
      if (existing.includes(sourceId)) throw new RuleViolationError('A unit cannot be split into itself');
      const takenBy = this.childAssignment(successors);
      await set.require(existing, 'Successor unit');
      await set.reserveCodes(successors.filter((s) => !isExisting(s)).map((s) => (s as NewUnitSpec).code));
      await set.requireWithinJurisdiction([sourceId, ...existing], date);
      for (const successor of successors) {
        if (!isExisting(successor)) await set.requireMayCreateUnder(successor.parentId ?? source.parentId, successor.code, date);
      }
      // The children lie below the source, so within the jurisdiction it was judged by.
      const children = await set.childrenOn([sourceId], date);
      const isChild = new Set(children.map((c) => c.id));
      const strangers = [...takenBy.keys()].filter((id) => !isChild.has(id));
      if (strangers.length) {
        throw new RuleViolationError(`childIds name units that are not active children of ${source.code} on ${date}: ${strangers.slice(0, 20).join(', ')}`, { children: strangers });
      }
      // Closing, the source may leave no child behind.
      const unassigned = children.filter((c) => !takenBy.has(c.id)).map((c) => c.code).sort();
      if (unassigned.length) {
        throw new RuleViolationError(
          `Unit ${source.code} has ${unassigned.length} active ${unassigned.length > 1 ? 'children' : 'child'} on ${date} that no successor takes (${unassigned.slice(0, 20).join(', ')}); name each in the childIds of one successor`,
          { children: unassigned },
        );
      }
      const operationId = set.operation('split', date, { sourceId, successors });
      const ids: string[] = [];
      for (const successor of successors) {
        if (isExisting(successor)) {
          const state = await set.requirePlacedOn(successor.unitId, date, 'Successor unit');
          if (state.kind !== source.kind) throw new RuleViolationError('A unit splits into units of its own kind');
          ids.push(successor.unitId);
        } else {
          const { childIds: _children, ...spec } = successor;
          ids.push((await set.create(operationId, { ...spec, kind: source.kind, parentId: spec.parentId ?? source.parentId }, date)).id);
        }
      }
      // In the request's order; each move checks the placement rules for the child under its successor.
      for (const [i, successor] of successors.entries()) {
        for (const childId of successor.childIds ?? []) await set.move(operationId, childId, ids[i], date);
      }
      set.close(operationId, sourceId, date, 'split', ids);
      set.recordSplit(operationId, sourceId, ids, date);
      return ids.map((id) => set.state(id));
    }, STRUCTURAL);
  }

  /**
   * Abolishes a level: every child of every active unit of that kind moves to the unit's
   * nearest ancestor that stays open, and the units close, all on one date (as on 1 July
   * 2025 for districts).
   */
  abolishLevel(kind: UnitKind, date: string, actor: Caller, withinId?: string): Promise<{ closed: number; moved: number }> {
    return this.change(actor, async (set) => {
      if (withinId) {
        await this.requireTarget(set, withinId);
        await set.requireWithinJurisdiction([withinId], date);
      } else {
        // Recorded for everywhere, it also refuses units of the level created later anywhere.
        set.requireAdmin('abolish a level everywhere', 'name withinId, a unit within its jurisdiction, to abolish the level there');
      }
      return this.abolish(set, kind, date, withinId);
    }, STRUCTURAL);
  }

  /** The 2025-style reorganisation: province and commune merges and splits, then the abolished level. */
  reorganise(plan: ReorganisationPlan, actor: Caller): Promise<ReorganisationResult> {
    return this.change(actor, (set) => this.applyReorganisation(set, plan), STRUCTURAL);
  }

  /** Run it as a structural change (`change(..., { structure: 'exclusive' })`): it moves units. */
  async applyReorganisation(set: TreeChangeSet, plan: ReorganisationPlan): Promise<ReorganisationResult> {
    // It re-forms provinces, which only an admin creates.
    set.requireAdmin('reorganise the tree');
    const date = plan.effectiveFrom;
    const result: ReorganisationResult = { provincesCreated: 0, provincesContinued: 0, communesCreated: 0, communesContinued: 0, merged: 0, split: 0, levelUnitsClosed: 0 };
    const oldCodes = [...new Set([...plan.provinces, ...plan.communes].flatMap((u) => u.predecessorCodes).concat(plan.abolishWithinCodes ?? []))];
    const idByCode = await set.idsByCode(oldCodes);
    const unknown = oldCodes.filter((code) => !idByCode.has(code));
    if (unknown.length) throw new RuleViolationError(`Unknown unit codes in the plan: ${unknown.slice(0, 20).join(', ')}`);
    await set.require(idByCode.values());
    await set.reserveCodes([...plan.provinces, ...plan.communes].map((u) => u.code).filter((code) => !idByCode.has(code)));
    // Limited to some units, the abolition is recorded by its abolish-level operations alone, each
    // with its unit: an abolishKind here would read as the level abolished everywhere.
    const abolished = plan.abolishWithinCodes ? { abolishKindWithin: plan.abolishKind } : { abolishKind: plan.abolishKind };
    const operationId = set.operation('reorganise', date, { provinces: plan.provinces.length, communes: plan.communes.length, ...abolished });

    // Provinces: one predecessor, or one of the same name, continues; otherwise a new province.
    const provinceId = new Map<string, string>();
    const provinceSuccessor = new Map<string, string>();
    const absorbedProvinces: { target: string; sources: string[]; existing: boolean }[] = [];
    for (const province of plan.provinces) {
      const preds = province.predecessorCodes.map((code) => set.state(idByCode.get(code) as string));
      const continuing = preds.length === 1 ? preds[0] : preds.find((p) => foldForSearch(p.name) === foldForSearch(province.name));
      let target: string;
      if (continuing) {
        target = continuing.id;
        if (continuing.name !== province.name || continuing.subtype !== (province.subtype ?? null)) {
          set.update(operationId, target, { name: province.name, subtype: province.subtype ?? null }, date);
        }
        result.provincesContinued++;
      } else {
        target = (await set.create(operationId, { code: province.code, name: province.name, kind: 'province', subtype: province.subtype }, date)).id;
        result.provincesCreated++;
      }
      provinceId.set(province.code, target);
      preds.forEach((p) => provinceSuccessor.set(p.id, target));
      const sources = preds.filter((p) => p.id !== target).map((p) => p.id);
      if (sources.length) absorbedProvinces.push({ target, sources, existing: Boolean(continuing) });
    }

    // Communes: an old commune that alone forms a new one continues (moved, renamed);
    // otherwise the new commune is created and its predecessors merged or split into it.
    const successorsOf = new Map<string, string[]>();
    for (const commune of plan.communes) for (const code of commune.predecessorCodes) successorsOf.set(code, [...(successorsOf.get(code) ?? []), commune.code]);
    const newIdByCode = new Map<string, string>();
    for (const commune of plan.communes) {
      const parentId = provinceId.get(commune.provinceCode);
      if (!parentId) throw new RuleViolationError(`Commune ${commune.code} names an unknown new province ${commune.provinceCode}`);
      const preds = commune.predecessorCodes.map((code) => set.state(idByCode.get(code) as string));
      if (preds.length === 1 && successorsOf.get(commune.predecessorCodes[0])?.length === 1) {
        const unit = preds[0];
        await set.move(operationId, unit.id, parentId, date);
        if (unit.name !== commune.name || unit.subtype !== (commune.subtype ?? null)) set.update(operationId, unit.id, { name: commune.name, subtype: commune.subtype ?? null }, date);
        newIdByCode.set(commune.code, unit.id);
        result.communesContinued++;
        continue;
      }
      this.checkSameParent(set, preds, 'commune', date);
      const created = await set.create(operationId, { code: commune.code, name: commune.name, kind: 'commune', subtype: commune.subtype, parentId }, date);
      newIdByCode.set(commune.code, created.id);
      result.communesCreated++;
      const merged = preds.filter((p) => successorsOf.get(p.code)?.length === 1);
      for (const child of await set.childrenOn(merged.map((p) => p.id), date)) await set.move(operationId, child.id, created.id, date);
      for (const p of merged) set.close(operationId, p.id, date, 'merged', [created.id]);
      if (preds.length > 1 || merged.length) {
        set.recordMerge(operationId, preds.map((p) => p.id), created.id, date, false);
        result.merged++;
      }
    }
    for (const [code, successorCodes] of successorsOf) {
      if (successorCodes.length < 2) continue;
      const id = idByCode.get(code) as string;
      const successorIds = successorCodes.map((c) => newIdByCode.get(c) as string);
      set.close(operationId, id, date, 'split', successorIds);
      set.recordSplit(operationId, id, successorIds, date);
      result.split++;
    }

    // The abolished level's remaining children go to their province's successor.
    const successorOf = (parentId: string) => provinceSuccessor.get(parentId) ?? parentId;
    const within = plan.abolishWithinCodes ? plan.abolishWithinCodes.map((code) => idByCode.get(code)) : [undefined];
    for (const withinId of within) result.levelUnitsClosed += (await this.abolish(set, plan.abolishKind, date, withinId, successorOf)).closed;

    for (const { target, sources, existing } of absorbedProvinces) {
      for (const child of await set.childrenOn(sources, date)) await set.move(operationId, child.id, target, date);
      for (const id of sources) set.close(operationId, id, date, 'merged', [target]);
      set.recordMerge(operationId, sources, target, date, existing);
    }
    return result;
  }

  private async abolish(
    set: TreeChangeSet,
    kind: UnitKind,
    date: string,
    withinId?: string,
    successorOf: (parentId: string) => string = (id) => id,
  ): Promise<{ closed: number; moved: number }> {
    const units = await this.repository.unitsOfKindAt(set.manager, kind, date, withinId);
    await set.load(units.map((u) => u.id));
    const later = units.map((u) => set.state(u.id)).filter((u) => u.validFrom > date);
    if (later.length) {
      throw new RuleViolationError(
        `Units of kind ${kind} have changes recorded after ${date} (${later.slice(0, 20).map((u) => `${u.code} on ${u.validFrom}`).join(', ')}); the level cannot be abolished on ${date} before them`,
        { units: later.map((u) => u.code) },
      );
    }
    const active = units.map((u) => set.state(u.id)).filter((u) => u.status === 'active');
    const orphanRoots = active.filter((u) => !u.parentId);
    if (orphanRoots.length) throw new RuleViolationError(`Units of kind ${kind} have no parent to take their children (e.g. ${orphanRoots[0].code})`);
    const operationId = set.operation('abolish-level', date, { kind, withinId: withinId ?? null, units: active.length });
    // Units of the kind may nest (an agency under an agency): each one's children go to its
    // nearest ancestor that stays, not to a parent that closes with it.
    const closing = new Set(active.map((u) => u.id));
    const staying = (unit: UnitState): string => {
      let id = unit.parentId as string;
      while (closing.has(id)) id = set.state(id).parentId as string;
      return successorOf(id);
    };
    const parentOf = new Map(active.map((u) => [u.id, staying(u)]));
    const children = (await set.childrenOn([...closing], date)).filter((c) => !closing.has(c.id));
    await set.load(children.map((c) => c.id));
    await set.require(new Set(parentOf.values()), 'Parent unit');
    await set.requireWithinJurisdiction([...closing, ...children.map((c) => c.id), ...parentOf.values()], date);
    for (const child of children) await set.move(operationId, child.id, parentOf.get(child.parentId as string) as string, date);
    for (const unit of active) set.close(operationId, unit.id, date, 'level-abolished', [parentOf.get(unit.id) as string]);
    return { closed: active.length, moved: children.length };
  }

  /** Which successor (by position) takes each child named in childIds; a child named twice is refused. */
  private childAssignment(successors: SplitSuccessor[]): Map<string, number> {
    const takenBy = new Map<string, number>();
    const twice = new Map<string, number[]>();
    successors.forEach((successor, i) => {
      for (const id of successor.childIds ?? []) {
        const first = takenBy.get(id);
        if (first === undefined) takenBy.set(id, i);
        else twice.set(id, [...(twice.get(id) ?? [first]), i]);
      }
    });
    if (twice.size) {
      const named = [...twice].slice(0, 20).map(([id, at]) => {
        const holders = [...new Set(at)].map((i) => `successors[${i}]`);
        return holders.length > 1 ? `${id} is in the childIds of ${holders.join(' and ')}` : `${id} is named twice in the childIds of ${holders[0]}`;
      });
      throw new RuleViolationError(`A split gives each child to one successor: ${named.join('; ')}`, { children: [...twice.keys()] });
    }
    return takenBy;
  }

  private checkSameParent(set: TreeChangeSet, states: Pick<UnitState, 'code' | 'parentId'>[], kind: UnitKind, date: string): void {
    const parents = [...new Set(states.map((s) => s.parentId))];
    if (parents.length > 1 && !set.mayMergeAcrossParents(kind, date)) {
      throw new RuleViolationError(
        `Units of kind ${kind} under different parents cannot be merged on ${date} (${states.map((s) => s.code).join(', ')})`,
      );
    }
  }

  private async requireTarget(set: TreeChangeSet, id: string): Promise<void> {
    if ((await set.load([id])).length) throw new NotFoundError(`Unit ${id} does not exist`);
  }
}
