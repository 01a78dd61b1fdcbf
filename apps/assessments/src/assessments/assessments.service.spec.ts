import { Logger } from '@nestjs/common';
import type { AntqClsStore, EventFactory, OutboxService } from '@antq/messaging';
import type { Clock } from '@antq/platform';
import type { ClsService } from 'nestjs-cls';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthorityService } from '../authority/authority.service';
import type { KeyAreasService } from '../key-areas/key-areas.service';
import { PROGRAMMES_V1 } from '../programmes/programmes-v1';
import type { ProgrammesService } from '../programmes/programmes.service';
import type { UnitStatusService } from '../statuses/unit-status.service';
import { AssessmentsService } from './assessments.service';

/** A service over fakes holding one drug-free recognition of cycle 2024, its unit's status still from it. */
function lapseWorld(carryOver: jest.Mock) {
  const recognition = { id: 'a-1', unitId: 'u-1', unitKind: 'commune', programme: 'drug-free', programmeVersion: 1, cycle: 2024 };
  const manager = {
    query: jest.fn(async () => [{ ...recognition, periodStart: '2024-01-01', periodEnd: '2024-12-31', state: 'recognised', results: [], score: null, grade: null, met: true, evidence: [], agency: 'ubnd', unitActive: true }]),
  } as unknown as EntityManager;
  const dataSource = {
    transaction: jest.fn((work: (manager: EntityManager) => Promise<unknown>) => work(manager)),
    query: jest.fn(async () => [recognition]),
  } as unknown as DataSource;
  const programmes = { version: jest.fn(async () => ({ programme: 'drug-free', version: 1, validFrom: '2020-01-01', definition: PROGRAMMES_V1['drug-free'] })) } as unknown as ProgrammesService;
  const set = jest.fn(async () => true);
  const statuses = { current: jest.fn(async () => ({ status: 'recognised', assessmentId: 'a-1' })), set } as unknown as UnitStatusService;
  const events = { create: jest.fn(() => ({})) } as unknown as EventFactory;
  const cls = { run: (work: () => unknown) => work(), set: jest.fn() } as unknown as ClsService<AntqClsStore>;
  const keyAreas = { carryOver } as unknown as KeyAreasService;
  const clock = { today: () => '2025-01-02' } as Clock;
  const service = new AssessmentsService(dataSource, programmes, statuses, {} as AuthorityService, events, {} as OutboxService, cls, keyAreas, clock);
  return { service, set };
}

describe('the daily lapse job', () => {
  afterEach(() => jest.restoreAllMocks());

  it("still lapses the day's recognitions when carrying key complex areas over fails, and logs the failure", async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { service, set } = lapseWorld(jest.fn().mockRejectedValue(new Error('deadlock detected')));
    await expect(service.lapseDue()).resolves.toBe(1);
    expect(set).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ unitId: 'u-1', programme: 'drug-free', status: 'lapsed', since: '2025-01-01', source: 'lapse' }), expect.anything());
    expect(logged).toHaveBeenCalledWith('Carrying key complex areas over on 2025-01-02 failed: deadlock detected');
  });

  it('counts the areas carried over with the recognitions lapsed', async () => {
    const { service } = lapseWorld(jest.fn().mockResolvedValue(2));
    await expect(service.lapseDue()).resolves.toBe(3);
  });
});
