import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { foldForSearch, type Actor, type UnitCloseReason, type UnitKind, type UnitSnapshot, type UnitSubtype } from '@antq/contracts';
import type { EventFactory, NewEvent, OutboxService } from '@antq/messaging';
import { ConflictError, ForbiddenError, RuleViolationError } from '@antq/platform';
import { abolitionOf, type Abolition, type StructureLock, type TreeRepository } from './tree.repository';
import { subtypeMismatch } from './unit-subtypes';
import { holdsOn, type MergePolicy, type PlacementRule, type UnitChangeKind, type UnitState } from './unit-state';

export interface NewUnitSpec {
  code: string;
  name: string;
  kind: UnitKind;
  subtype?: UnitSubtype | null;
  parentId?: string | null;
  tags?: string[];
}

export interface UnitPatch {
  name?: string;
  subtype?: UnitSubtype | null;
  tags?: string[];
}

/** The actor as its token names it: with its jurisdiction (root unit ids), if it has one. */
export type Caller = Actor & { jurisdiction?: string[] };

type AnyNewEvent = NewEvent<Parameters<EventFactory['create']>[0]['type']>;

const OUTBOX_CHUNK = 1_000;

/**
 * A unit of work over the tree: loads (and locks) the units it touches, applies structural
 * changes in memory with every rule checked, then writes versions, lineage, the operation
 * record and one event per change in the caller's transaction. Set-based writes keep a
 * national import fast.
 */
export class TreeChangeSet {
  private readonly latest = new Map<string, UnitState>();
  /** The units `latest` holds, by their latest parent: children are found without a pass over every unit held. */
  private readonly heldByParent = new Map<string, Set<string>>();
  private readonly persistedVersion = new Map<string, number>();
  private readonly newUnits: { id: string; code: string; kind: UnitKind }[] = [];
  private readonly versions: (UnitState & { searchName: string; operationId: string })[] = [];
  private readonly lineage: { predecessorId: string; successorId: string; kind: 'merge' | 'split'; date: string; operationId: string }[] = [];
  private readonly operations: { id: string; kind: string; date: string; details: object }[] = [];
  private readonly events: AnyNewEvent[] = [];
  private readonly closures: { id: string; date: string }[] = [];
  private readonly codes = new Set<string>();
  private structureLock?: StructureLock;
  /** Levels abolished, as recorded (loaded on the first create or move). */
  private abolitions?: Abolition[];
  /** Levels this change set abolishes: kept past a flush, which the list loaded before it predates. */
  private readonly abolishedHere: Abolition[] = [];
  /** Dates on which units moved, recorded or in this change set (loaded on the first move). */
  private moveDates?: Set<string>;

  private constructor(
    readonly manager: EntityManager,
    private readonly repository: TreeRepository,
    private readonly rules: PlacementRule[],
    private readonly policies: MergePolicy[],
    private readonly actor: Caller,
    private readonly correlationId: string,
  ) {}

  static async open(manager: EntityManager, repository: TreeRepository, actor: Caller, correlationId: string): Promise<TreeChangeSet> {
    // One after the other: the transaction's connection runs one query at a time.
    const rules = await repository.placementRules(manager);
    const policies = await repository.mergePolicies(manager);
    return new TreeChangeSet(manager, repository, rules, policies, actor, correlationId);
  }

  /** Loads and locks units; returns the ids that do not exist. */
  async load(ids: Iterable<string>): Promise<string[]> {
    const wanted = [...new Set(ids)].filter((id) => !this.latest.has(id));
    const states = await this.repository.lockLatest(this.manager, wanted);
    for (const state of states) {
      this.hold(state);
      this.persistedVersion.set(state.id, state.version);
    }
    return wanted.filter((id) => !this.latest.has(id));
  }

  /** Loads units that must exist, refusing with a clear message otherwise. */
  async require(ids: Iterable<string>, role = 'Unit'): Promise<void> {
    const missing = await this.load(ids);
    if (missing.length) throw new RuleViolationError(`${role} ${missing.join(', ')} does not exist`, { missing });
  }

  /**
   * Serialises this change with every other one that can change ancestry, until the
   * transaction ends (see TreeRepository.lockStructure). Take it before loading units, so
   * that waiting for it never holds a unit another change waits for.
   */
  async lockStructure(mode: StructureLock = 'exclusive'): Promise<void> {
    if (this.structureLock === mode || this.structureLock === 'exclusive') return;
    // Two changes holding it shared could each wait for the other to let go.
    if (this.structureLock) throw new Error('The structure lock cannot be raised from shared to exclusive within a change');
    await this.repository.lockStructure(this.manager, mode);
    this.structureLock = mode;
  }

  /** Refuses codes that are taken, in the registry or earlier in this change set. */
  async reserveCodes(codes: string[]): Promise<void> {
    const repeated = [...new Set(codes.filter((code, i) => codes.indexOf(code) !== i || this.codes.has(code)))];
    if (repeated.length) {
      throw new RuleViolationError(`Each new unit needs a code of its own: ${repeated.slice(0, 20).join(', ')} ${repeated.length > 1 ? 'are' : 'is'} given more than once`, { codes: repeated });
    }
    const taken = await this.repository.existingCodes(this.manager, codes);
    const conflicts = [...new Set(taken)];
    if (conflicts.length) {
      throw new ConflictError(`Unit code${conflicts.length > 1 ? 's' : ''} already in use: ${conflicts.slice(0, 20).join(', ')}`, {
        codes: conflicts,
      });
    }
    codes.forEach((code) => this.codes.add(code));
  }

  /** Ids of units by code: those created or loaded in this change set, then the registry's. */
  async idsByCode(codes: string[]): Promise<Map<string, string>> {
    const known = new Map<string, string>();
    for (const state of this.latest.values()) known.set(state.code, state.id);
    const result = new Map<string, string>();
    const missing: string[] = [];
    for (const code of codes) {
      const id = known.get(code);
      if (id) result.set(code, id);
      else missing.push(code);
    }
    for (const [code, id] of await this.repository.idsByCode(this.manager, missing)) result.set(code, id);
    return result;
  }

  state(id: string): UnitState {
    const state = this.latest.get(id);
    if (!state) throw new Error(`Unit ${id} was not loaded into the change set`);
    return state;
  }

  operation(kind: string, date: string, details: object = {}): string {
    const id = randomUUID();
    this.operations.push({ id, kind, date, details });
    const abolition = abolitionOf(kind, date, details);
    if (abolition) this.abolishedHere.push(abolition);
    return id;
  }

  // ---- authority ----

  /**
   * Refuses, unless the actor is an admin, a change to a unit outside its jurisdiction: each
   * unit must be one of the token's root units or lie below one on the date, on the tree as
   * this change set reads it. Call it once the units are known to exist and before changing
   * any, so that the tree judged is the one the change starts from. Names the first unit outside.
   */
  async requireWithinJurisdiction(ids: Iterable<string>, date: string): Promise<void> {
    if (this.isAdmin()) return;
    const wanted = [...new Set(ids)];
    await this.require(wanted);
    const roots = new Set(this.actor.jurisdiction ?? []);
    const within = new Set<string>();
    for (const id of wanted) {
      if (await this.liesWithin(id, roots, within, date)) continue;
      throw new ForbiddenError(`Unit ${id} (${this.state(id).code}) is outside the jurisdiction of agency ${this.actor.agency}${roots.size ? '' : ' (its token names none)'}`);
    }
  }

  /** Refuses, unless the actor is an admin, a new unit under a parent outside its jurisdiction, or without a parent (a province). */
  async requireMayCreateUnder(parentId: string | null | undefined, code: string, date: string): Promise<void> {
    if (parentId) {
      await this.require([parentId], 'Parent unit');
      return this.requireWithinJurisdiction([parentId], date);
    }
    // No jurisdiction holds a unit above every root: the top of the tree is the admins'.
    if (!this.isAdmin()) throw new ForbiddenError(`Unit ${code} would have no parent (a province): only an admin may create one, not agency ${this.actor.agency}`);
  }

  /** Refuses a change that reaches beyond any one jurisdiction unless the actor is an admin; `instead`, what it may do. */
  requireAdmin(doing: string, instead?: string): void {
    if (!this.isAdmin()) throw new ForbiddenError(`Agency ${this.actor.agency} may not ${doing}: that needs the role admin${instead ? `; ${instead}` : ''}`);
  }

  private isAdmin(): boolean {
    return this.actor.roles.includes('admin');
  }

  /**
   * Whether a unit is one of the roots or lies below one on a date; `within` keeps the units
   * found within, to cut the next unit's walk short. A unit not in the tree on the date (the
   * change refuses it for that) is judged where it stands now.
   */
  private async liesWithin(id: string, roots: Set<string>, within: Set<string>, date: string): Promise<boolean> {
    const path: string[] = [];
    let state = (await this.readStateAt(id, date)) ?? this.state(id);
    for (let depth = 0; depth < 32; depth++) {
      if (roots.has(state.id) || within.has(state.id)) {
        path.forEach((unit) => within.add(unit));
        return true;
      }
      path.push(state.id);
      const parent = state.parentId ? await this.readStateAt(state.parentId, date) : null;
      if (!parent) return false;
      state = parent;
    }
    return false;
  }

  /**
   * A unit's state on a date as this change set sees the tree; stateAt loads (locks) the unit
   * first, this does not for a unit it does not hold: ancestors are only read, and locking them would make every
   * change in a province wait for every other. Units move only under the structure lock, so a
   * change that holds it reads ancestors that stay put; a rename or closure, which does not, is
   * judged as if it came before a move committing meanwhile.
   */
  private async readStateAt(id: string, date: string): Promise<UnitState | null> {
    const latest = this.latest.get(id);
    if (latest && latest.validFrom <= date) return latest;
    const [past] = await this.repository.statesAt(this.manager, [id], date);
    return past ?? null;
  }

  // ---- changes ----

  async create(operationId: string, spec: NewUnitSpec, date: string): Promise<UnitState> {
    // Taken by TreeService.change, shared at least, before any unit was loaded.
    if (!this.structureLock) throw new Error('A create must run under the structure lock (shared at least)');
    this.checkSubtype(spec.kind, spec.subtype, spec.code);
    const parent = spec.parentId ? await this.stateAt(spec.parentId, date) : null;
    this.checkPlacement(spec.kind, spec.code, parent, date, spec.parentId ?? null);
    await this.refuseAbolishedLevel({ kind: spec.kind, code: spec.code }, spec.parentId ?? null, date, 'created');
    if (spec.parentId) await this.refuseLaterParentChanges(spec.kind, spec.code, spec.parentId, date);
    const state: UnitState = {
      id: randomUUID(),
      code: spec.code,
      kind: spec.kind,
      version: 1,
      validFrom: date,
      validTo: null,
      name: spec.name,
      subtype: spec.subtype ?? null,
      parentId: spec.parentId ?? null,
      tags: normaliseTags(spec.tags ?? []),
      status: 'active',
      change: 'created',
    };
    this.newUnits.push({ id: state.id, code: state.code, kind: state.kind });
    this.hold(state);
    this.record(state, operationId);
    this.emit('antq.units.unit-created.v1', state, {});
    return state;
  }

  update(operationId: string, id: string, patch: UnitPatch, date: string): UnitState {
    const current = this.activeOn(id, date);
    const next = { ...current, ...definedOnly(patch), tags: patch.tags ? normaliseTags(patch.tags) : current.tags };
    this.checkSubtype(next.kind, next.subtype, next.code);
    const changes = (['name', 'subtype', 'tags'] as const)
      .filter((field) => JSON.stringify(next[field]) !== JSON.stringify(current[field]))
      .map((field) => ({ field, from: current[field], to: next[field] }));
    if (!changes.length) throw new RuleViolationError(`The update changes nothing on unit ${current.code}`);
    const state = this.append(next, 'updated', date, operationId);
    this.emit('antq.units.unit-updated.v1', state, { changes });
    return state;
  }

  async move(operationId: string, id: string, parentId: string, date: string): Promise<UnitState> {
    const current = this.activeOn(id, date);
    if (current.parentId === parentId) throw new RuleViolationError(`Unit ${current.code} is already under that parent`);
    // Taken by TreeService.change for structural changes, before any unit was loaded.
    if (this.structureLock !== 'exclusive') throw new Error('A move must run in a structural change, under the structure lock');
    const parent = await this.stateAt(parentId, date);
    this.checkPlacement(current.kind, current.code, parent, date, parentId);
    await this.refuseAbolishedLevel(current, parentId, date, 'moved');
    await this.refuseLaterParentChanges(current.kind, current.code, parentId, date);
    await this.refuseCycle(current, parentId, date);
    const state = this.append({ ...current, parentId }, 'moved', date, operationId);
    this.moveDates?.add(date);
    this.emit('antq.units.unit-moved.v1', state, { fromParentId: current.parentId, toParentId: parentId });
    return state;
  }

  close(operationId: string, id: string, date: string, reason: UnitCloseReason = 'closed', successorIds: string[] = []): UnitState {
    const current = this.activeOn(id, date);
    const state = this.append({ ...current, status: 'closed' }, 'closed', date, operationId);
    this.closures.push({ id, date });
    this.emit('antq.units.unit-closed.v1', state, { reason, successorIds });
    return state;
  }

  /** Records that `sources` were merged into `targetId`; closing and moving are separate steps. */
  recordMerge(operationId: string, sourceIds: string[], targetId: string, date: string, bumpTarget: boolean): void {
    const target = bumpTarget ? this.append({ ...this.activeOn(targetId, date) }, 'merged', date, operationId) : this.state(targetId);
    for (const sourceId of sourceIds) this.lineage.push({ predecessorId: sourceId, successorId: targetId, kind: 'merge', date, operationId });
    this.emit('antq.units.unit-merged.v1', target, { predecessorIds: sourceIds, operationId });
  }

  recordSplit(operationId: string, sourceId: string, successorIds: string[], date: string): void {
    for (const successorId of successorIds) this.lineage.push({ predecessorId: sourceId, successorId, kind: 'split', date, operationId });
    this.emit('antq.units.unit-split.v1', this.state(sourceId), { successorIds, operationId });
  }

  /** Whether units of a kind may merge across parents on a date. */
  mayMergeAcrossParents(kind: UnitKind, date: string): boolean {
    return this.policies.some((p) => p.kind === kind && p.acrossParents && holdsOn(p, date));
  }

  /** Active children of units on a date, as this change set leaves them; locked, as the caller is about to change them. */
  async childrenOn(parentIds: string[], date: string): Promise<UnitState[]> {
    const parents = new Set(parentIds);
    const found = this.activeUnder(parents, date, await this.repository.childrenAt(this.manager, parentIds, date));
    await this.load(found.keys());
    // Found before the locks: a child closed or changed by a change that committed while this
    // waited for its lock is taken as it now stands, or the caller would act on a state that
    // no longer holds (and refuse with a misleading 422). The latest state, read under the
    // lock, is the one on the date unless a change follows the date: only then read it again.
    const changedLater = [...found.keys()].filter((id) => this.state(id).validFrom > date);
    const reread = new Map(changedLater.length ? (await this.repository.statesAt(this.manager, changedLater, date)).map((s) => [s.id, s]) : []);
    // Only the units found: a reorganisation calls this thousands of times on a change set holding thousands of units.
    return [...found.keys()].flatMap((id) => {
      const latest = this.state(id);
      const onDate = latest.validFrom <= date ? latest : reread.get(id);
      return onDate && onDate.status === 'active' && onDate.parentId && parents.has(onDate.parentId) ? [onDate] : [];
    });
  }

  /** Of units' recorded states on a date and the units this change set holds, those active under one of the parents then. */
  private activeUnder(parents: Set<string>, date: string, recorded: UnitState[]): Map<string, UnitState> {
    const result = new Map<string, UnitState>();
    for (const unit of recorded) {
      const mine = this.latest.get(unit.id);
      const current = mine && mine.validFrom <= date ? mine : unit;
      if (current.status === 'active' && current.parentId && parents.has(current.parentId)) result.set(unit.id, current);
    }
    for (const parentId of parents) {
      for (const id of this.heldByParent.get(parentId) ?? []) {
        const state = this.state(id);
        if (state.validFrom <= date && state.status === 'active') result.set(id, state);
      }
    }
    return result;
  }

  /** Keeps a unit's latest state, and the index of the held units by parent with it. */
  private hold(state: UnitState): void {
    const before = this.latest.get(state.id);
    if (before?.parentId && before.parentId !== state.parentId) this.heldByParent.get(before.parentId)?.delete(state.id);
    this.latest.set(state.id, state);
    if (!state.parentId) return;
    let held = this.heldByParent.get(state.parentId);
    if (!held) this.heldByParent.set(state.parentId, (held = new Set()));
    held.add(state.id);
  }

  // ---- writing ----

  /**
   * Writes what is pending. It may be called more than once in a transaction: later reads
   * of the registry (such as the units of a level on a date) then see the earlier changes.
   */
  async flush(): Promise<{ operations: string[]; events: number }> {
    await this.refuseOrphans();
    const { manager, repository } = this;
    for (const operation of this.operations) {
      await repository.insertOperation(manager, {
        ...operation,
        agency: this.actor.agency,
        principal: this.actor.principal,
        correlationId: this.correlationId,
      });
    }
    await repository.insertUnits(
      manager,
      this.newUnits.map((u) => ({ ...u, latestVersion: this.state(u.id).version })),
    );
    // The persisted latest version of each changed unit now ends where its first new version starts.
    const ends = new Map<string, { id: string; version: number; validTo: string }>();
    for (const version of this.versions) {
      const persisted = this.persistedVersion.get(version.id);
      if (persisted !== undefined && version.version === persisted + 1) ends.set(version.id, { id: version.id, version: persisted, validTo: version.validFrom });
    }
    await repository.closeVersions(manager, [...ends.values()]);
    await repository.insertVersions(manager, this.versions);
    await repository.setLatestVersions(
      manager,
      [...this.persistedVersion.keys()].filter((id) => this.state(id).version !== this.persistedVersion.get(id)).map((id) => ({ id, version: this.state(id).version })),
    );
    // A predecessor with several successors was split, whatever else recorded the edge.
    const edges = new Map<string, (typeof this.lineage)[number]>();
    for (const edge of this.lineage) {
      const key = `${edge.predecessorId}:${edge.successorId}`;
      if (!edges.has(key) || edge.kind === 'split') edges.set(key, edge);
    }
    await repository.insertLineage(manager, [...edges.values()]);
    const written = { operations: this.operations.map((o) => o.id), events: this.events.length };
    for (const state of this.latest.values()) this.persistedVersion.set(state.id, state.version);
    this.newUnits.length = 0;
    this.versions.length = 0;
    this.lineage.length = 0;
    this.operations.length = 0;
    this.closures.length = 0;
    return written;
  }

  /** Events for the outbox, built once the caller has an event factory. */
  async publish(events: EventFactory, outbox: OutboxService): Promise<void> {
    for (let i = 0; i < this.events.length; i += OUTBOX_CHUNK) {
      await outbox.append(
        this.manager,
        this.events.slice(i, i + OUTBOX_CHUNK).map((event) => events.create({ ...event, actor: this.actor })),
      );
    }
    this.events.length = 0;
  }

  // ---- rules ----

  private append(next: UnitState, change: UnitChangeKind, date: string, operationId: string): UnitState {
    const current = this.state(next.id);
    if (date < current.validFrom) {
      throw new RuleViolationError(
        `Unit ${current.code} already has a change effective ${current.validFrom}; a change effective ${date} would overlap it (changes to a unit are recorded in date order)`,
      );
    }
    const pending = this.versions.find((v) => v.id === current.id && v.version === current.version);
    if (pending) pending.validTo = date;
    const state: UnitState = { ...next, version: current.version + 1, validFrom: date, validTo: null, change };
    this.hold(state);
    this.record(state, operationId);
    return state;
  }

  private record(state: UnitState, operationId: string): void {
    this.versions.push({ ...state, searchName: foldForSearch(state.name), operationId });
  }

  private emit(type: AnyNewEvent['type'], state: UnitState, extra: object): void {
    this.events.push({ type, subject: state.id, data: { ...snapshot(state), ...extra } as never });
  }

  /** The unit's state on a date, which must be active then. */
  private activeOn(id: string, date: string): UnitState {
    const state = this.state(id);
    if (date < state.validFrom) {
      throw new RuleViolationError(
        `Unit ${state.code} already has a change effective ${state.validFrom}; a change effective ${date} would overlap it (changes to a unit are recorded in date order)`,
      );
    }
    if (state.status !== 'active') throw new RuleViolationError(`Unit ${state.code} is closed since ${state.validFrom}`);
    return state;
  }

  /** Refuses a unit that is not active on a date, or not placed then as the placement rules allow. */
  async requirePlacedOn(id: string, date: string, role = 'Unit'): Promise<UnitState> {
    const state = await this.stateAt(id, date);
    if (!state) throw new RuleViolationError(`${role} ${this.state(id).code} did not exist on ${date}`);
    if (state.status !== 'active') throw new RuleViolationError(`${role} ${state.code} is closed on ${date}`);
    const parent = state.parentId ? await this.stateAt(state.parentId, date) : null;
    this.checkPlacement(state.kind, state.code, parent, date, state.parentId);
    return state;
  }

  /** A unit's state on a date: the latest one if it already holds, else from history. */
  async stateAt(id: string, date: string): Promise<UnitState | null> {
    await this.require([id], 'Parent unit');
    return this.readStateAt(id, date);
  }

  private checkSubtype(kind: UnitKind, subtype: UnitSubtype | null | undefined, code: string): void {
    const mismatch = subtypeMismatch(kind, subtype);
    if (mismatch) throw new RuleViolationError(`Unit ${code}: ${mismatch}`);
  }

  private checkPlacement(kind: UnitKind, code: string, parent: UnitState | null, date: string, parentId: string | null): void {
    if (parentId && !parent) throw new RuleViolationError(`Parent unit ${parentId} did not exist on ${date}`);
    if (parent && parent.status !== 'active') throw new RuleViolationError(`Parent unit ${parent.code} is closed on ${date}`);
    const parentKind = parent?.kind ?? null;
    const allowed = this.rules.filter((r) => r.childKind === kind && holdsOn(r, date));
    if (allowed.some((r) => r.parentKind === parentKind)) return;
    const options = allowed.map((r) => r.parentKind ?? 'no parent').join(' or ') || 'nothing';
    throw new RuleViolationError(
      `A ${kind} cannot be placed ${parentKind ? `under a ${parentKind}` : 'without a parent'} on ${date} (unit ${code}; a ${kind} then sits under ${options})`,
    );
  }

  /**
   * A unit of a level abolished after its date would outlive the level: the abolition closed
   * the units of that kind it found, and this one would stay open under the new parents. A
   * moved unit carries its subtree along, so a unit of that level below it would as well.
   */
  private async refuseAbolishedLevel(
    unit: { id?: string; kind: UnitKind; code: string },
    parentId: string | null,
    date: string,
    change: 'created' | 'moved',
  ): Promise<void> {
    this.abolitions ??= await this.repository.abolitions(this.manager);
    for (const abolition of [...this.abolitions, ...this.abolishedHere]) {
      // An abolition's own changes share its date, so they never meet it here.
      if (abolition.effectiveDate <= date) continue;
      if (abolition.kind !== unit.kind && !unit.id) continue;
      if (abolition.withinId && !(await this.placedWithin(parentId, abolition.withinId, abolition.effectiveDate))) continue;
      const where = abolition.withinId ? ` within unit ${abolition.withinId}` : '';
      const abolished = `the ${abolition.kind} level was abolished${where} from ${abolition.effectiveDate}`;
      if (abolition.kind === unit.kind) {
        throw new RuleViolationError(`A ${unit.kind} cannot be ${change} on ${date} (${unit.code}): ${abolished}, and the unit would outlive it`);
      }
      // Units of the level it already held there were closed by the abolition, so only those it brings in are found.
      const [carried] = await this.repository.unitsOfKindAt(this.manager, abolition.kind, abolition.effectiveDate, unit.id);
      if (carried) {
        throw new RuleViolationError(
          `A ${unit.kind} cannot be ${change} on ${date} (${unit.code}): ${abolished}, and ${carried.code}, a unit of that level it carries along, would outlive it`,
        );
      }
    }
  }

  /** Whether a unit placed under `parentId` lies within `rootId`'s subtree on a date, as this change set sees the tree. */
  private async placedWithin(parentId: string | null, rootId: string, date: string): Promise<boolean> {
    for (let id = parentId, depth = 0; id && depth < 32; depth++) {
      if (id === rootId) return true;
      id = (await this.stateAt(id, date))?.parentId ?? null;
    }
    return false;
  }

  /**
   * A child placed under a parent on a date stays there: the parent's versions already
   * recorded after that date must keep it validly placed (not closed, and a parent the
   * placement rules still allow for the child's kind).
   */
  private async refuseLaterParentChanges(kind: UnitKind, code: string, parentId: string, date: string): Promise<void> {
    for (const later of await this.versionsAfter(parentId, date)) {
      const recorded = `parent unit ${later.code} has a change recorded effective ${later.validFrom} (${later.change})`;
      if (later.status !== 'active') {
        throw new RuleViolationError(`Unit ${code} cannot be placed under ${later.code} on ${date}: the ${recorded} that closes it, which would leave ${code} active under a closed unit`);
      }
      if (!this.rules.some((r) => r.childKind === kind && r.parentKind === later.kind && holdsOn(r, later.validFrom))) {
        throw new RuleViolationError(`Unit ${code} cannot be placed under ${later.code} on ${date}: the ${recorded}, from when the placement rules no longer allow a ${kind} under a ${later.kind}`);
      }
    }
  }

  /** The versions of a loaded unit that start after a date, recorded or in this change set. */
  private async versionsAfter(id: string, date: string): Promise<UnitState[]> {
    if (this.state(id).validFrom <= date) return [];
    const byVersion = new Map((await this.repository.versionsAfter(this.manager, id, date)).map((v) => [v.version, v]));
    for (const v of this.versions) if (v.id === id && v.validFrom > date) byVersion.set(v.version, v);
    return [...byVersion.values()].sort((a, b) => a.version - b.version);
  }

  /** Refuses a move that makes a cycle on its date or on any later date on which a recorded move changes ancestors. */
  private async refuseCycle(unit: UnitState, parentId: string, date: string): Promise<void> {
    this.moveDates ??= new Set(await this.repository.moveDates(this.manager));
    const dates = [date, ...[...this.moveDates].filter((d) => d > date).sort()];
    for (const on of dates) {
      let cursor: string | null = parentId;
      for (let depth = 0; cursor && depth < 64; depth++) {
        if (cursor === unit.id) {
          throw new RuleViolationError(
            on === date
              ? `Moving ${unit.code} under ${parentId} would make it its own ancestor`
              : `Moving ${unit.code} under ${parentId} on ${date} would make it its own ancestor from ${on}, given the moves recorded for that date`,
          );
        }
        const next: UnitState | null = this.latest.has(cursor) ? await this.stateAt(cursor, on) : (await this.repository.statesAt(this.manager, [cursor], on))[0] ?? null;
        cursor = next?.parentId ?? null;
      }
    }
  }

  /** A unit closed on a date must have no active children then, nor any placed under it later. */
  private async refuseOrphans(): Promise<void> {
    const byDate = new Map<string, string[]>();
    for (const c of this.closures) byDate.set(c.date, [...(byDate.get(c.date) ?? []), c.id]);
    for (const [date, ids] of byDate) {
      const orphans = await this.childrenOn(ids, date);
      if (orphans.length) {
        const parent = this.state(orphans[0].parentId as string);
        throw new RuleViolationError(
          `Unit ${parent.code} cannot close on ${date} while it has active children (${orphans.length}, e.g. ${orphans[0].code}); move or close them first`,
        );
      }
      const closing = new Set(ids);
      const later =
        this.versions.find(
          (v) => v.validFrom > date && v.validTo !== v.validFrom && v.status === 'active' && v.parentId !== null && closing.has(v.parentId),
        ) ??
        (await this.repository.firstChildPlacedAfter(this.manager, ids, date));
      if (later) {
        const parent = this.state(later.parentId as string);
        throw new RuleViolationError(
          `Unit ${parent.code} cannot close on ${date}: unit ${later.code} is placed under it from ${later.validFrom} (a change recorded effective then), which would leave it active under a closed unit`,
        );
      }
    }
  }
}

export function snapshot(state: UnitState): UnitSnapshot {
  return {
    unitId: state.id,
    code: state.code,
    name: state.name,
    kind: state.kind,
    subtype: state.subtype,
    parentId: state.parentId,
    tags: state.tags,
    status: state.status,
    effectiveFrom: state.validFrom,
    version: state.version,
  };
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags)].sort();
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
