import type { EntityManager } from 'typeorm';
import { RuleViolationError } from '@antq/platform';
import { TreeChangeSet } from './tree-change-set';
import type { TreeRepository } from './tree.repository';
import type { UnitState } from './unit-state';

const DATE = '2025-07-01';

const version = (id: string, fields: Partial<UnitState> = {}): UnitState => ({
  id,
  code: id,
  kind: 'commune',
  version: 1,
  validFrom: '2020-01-01',
  validTo: null,
  name: `Xã ${id}`,
  subtype: 'xa',
  parentId: 'D',
  tags: [],
  status: 'active',
  change: 'created',
  ...fields,
});

/**
 * The registry as a change set reads it while another change, holding the lock of `contended`,
 * commits: reads before this change set takes that lock see `before`, reads after it `after`
 * (each a unit's versions, oldest first, their ranges closed as recorded).
 */
class Registry {
  private committed = false;
  readonly versionsWritten: UnitState[] = [];

  constructor(
    private readonly before: UnitState[],
    private readonly after: UnitState[],
    private readonly contended: string,
  ) {}

  private get versions(): UnitState[] {
    return this.committed ? this.after : this.before;
  }

  private on(date: string): UnitState[] {
    return this.versions.filter((v) => v.validFrom <= date && (v.validTo === null || v.validTo > date));
  }

  placementRules = () => Promise.resolve([]);
  mergePolicies = () => Promise.resolve([]);
  childrenAt = (_: EntityManager, parentIds: string[], date: string) =>
    Promise.resolve(this.on(date).filter((v) => v.status === 'active' && v.parentId && parentIds.includes(v.parentId)));
  statesAt = (_: EntityManager, ids: string[], date: string) => Promise.resolve(this.on(date).filter((v) => ids.includes(v.id)));
  lockLatest = (_: EntityManager, ids: string[]) => {
    // The lock is granted once the other change has committed.
    if (ids.includes(this.contended)) this.committed = true;
    return Promise.resolve(ids.flatMap((id) => this.versions.filter((v) => v.id === id).slice(-1)));
  };
  firstChildPlacedAfter = () => Promise.resolve(undefined);
  insertOperation = () => Promise.resolve();
  insertUnits = () => Promise.resolve();
  closeVersions = () => Promise.resolve();
  insertVersions = (_: EntityManager, versions: UnitState[]) => {
    this.versionsWritten.push(...versions);
    return Promise.resolve();
  };
  setLatestVersions = () => Promise.resolve();
  insertLineage = () => Promise.resolve();
}

const district = version('D', { kind: 'district', subtype: 'huyen', parentId: 'P' });
const commune = version('C');

function changeSet(registry: Registry): Promise<TreeChangeSet> {
  return TreeChangeSet.open({} as EntityManager, registry as unknown as TreeRepository, { agency: 'ca-nghe-an', principal: 'registrar-1', roles: ['registrar'] }, 'test');
}

// Which change commits first is up to the database; here the other one always does, while this
// one waits for the child's lock (the integration tests run the same operations on PostgreSQL).
describe('the children a change set acts on, when another change commits while it waits for their lock', () => {
  it('are taken as they stand once locked: a child renamed meanwhile is the renamed one', async () => {
    const renamed = version('C', { version: 2, validFrom: '2025-06-01', name: 'Xã Mới', change: 'updated' });
    const set = await changeSet(new Registry([district, commune], [district, { ...commune, validTo: '2025-06-01' }, renamed], 'C'));
    expect(await set.childrenOn(['D'], DATE)).toEqual([renamed]);
  });

  it('leave out a child closed meanwhile', async () => {
    const closed = version('C', { version: 2, validFrom: '2025-06-01', status: 'closed', change: 'closed' });
    const set = await changeSet(new Registry([district, commune], [district, { ...commune, validTo: '2025-06-01' }, closed], 'C'));
    expect(await set.childrenOn(['D'], DATE)).toEqual([]);
  });

  it('are read again on the date for a child whose latest change follows it', async () => {
    // Renamed before the date and closed after it, in one change: on the date it is the renamed one.
    const renamed = version('C', { version: 2, validFrom: '2025-06-01', validTo: '2025-09-01', name: 'Xã Mới', change: 'updated' });
    const closed = version('C', { version: 3, validFrom: '2025-09-01', name: 'Xã Mới', status: 'closed', change: 'closed' });
    const set = await changeSet(new Registry([district, commune], [district, { ...commune, validTo: '2025-06-01' }, renamed, closed], 'C'));
    expect(await set.childrenOn(['D'], DATE)).toEqual([renamed]);
  });

  it('no longer refuse to close a unit whose last child was closed meanwhile', async () => {
    const closedChild = version('C', { version: 2, validFrom: '2025-06-01', status: 'closed', change: 'closed' });
    const registry = new Registry([district, commune], [district, { ...commune, validTo: '2025-06-01' }, closedChild], 'C');
    const set = await changeSet(registry);
    await set.require(['D']);
    set.close(set.operation('close', DATE, { unitId: 'D' }), 'D', DATE);
    await expect(set.flush()).resolves.toMatchObject({ events: 1 });
    expect(registry.versionsWritten).toEqual([expect.objectContaining({ id: 'D', version: 2, status: 'closed', validFrom: DATE })]);
  });

  it('still refuse to close a unit whose child stays active', async () => {
    const renamed = version('C', { version: 2, validFrom: '2025-06-01', name: 'Xã Mới', change: 'updated' });
    const set = await changeSet(new Registry([district, commune], [district, { ...commune, validTo: '2025-06-01' }, renamed], 'C'));
    await set.require(['D']);
    set.close(set.operation('close', DATE, { unitId: 'D' }), 'D', DATE);
    await expect(set.flush()).rejects.toThrow(new RuleViolationError(`Unit D cannot close on ${DATE} while it has active children (1, e.g. C); move or close them first`));
  });
});
