import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import type { Actor, UnitKind, UnitSubtype } from '@antq/contracts';
import { EventFactory, OutboxService, type AntqClsStore } from '@antq/messaging';
import { ConflictError, RuleViolationError } from '@antq/platform';
import { UnitVersion } from './unit-version.entity';
import { Unit } from './unit.entity';

export interface CreateUnitCommand {
  code: string;
  name: string;
  kind: UnitKind;
  subtype?: UnitSubtype;
  parentId?: string;
  tags?: string[];
  effectiveFrom?: string;
}

const today = () => new Date().toISOString().slice(0, 10);

/** Adds a unit: the unit, its first version and its unit-created event commit together. */
@Injectable()
export class CreateUnitUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {}

  async execute(command: CreateUnitCommand, actor: Actor): Promise<Unit> {
    const tags = [...new Set(command.tags ?? [])].sort();
    const effectiveFrom = command.effectiveFrom ?? today();
    if ((command.kind === 'province') !== !command.parentId) {
      throw new RuleViolationError(
        command.kind === 'province' ? 'A province has no parent unit' : `A ${command.kind} needs a parentId`,
      );
    }
    return this.dataSource.transaction(async (manager) => {
      if (command.parentId) {
        const parent = await manager.findOne(Unit, {
          where: { id: command.parentId },
          lock: { mode: 'pessimistic_read' },
        });
        if (!parent) throw new RuleViolationError(`Parent unit ${command.parentId} does not exist`);
        if (parent.status === 'closed') throw new RuleViolationError(`Parent unit ${parent.code} is closed`);
      }
      if (await manager.existsBy(Unit, { code: command.code })) {
        throw new ConflictError(`A unit with code ${command.code} already exists`);
      }
      const unit = manager.create(Unit, {
        id: randomUUID(),
        code: command.code,
        name: command.name,
        kind: command.kind,
        subtype: command.subtype ?? null,
        parentId: command.parentId ?? null,
        tags,
        status: 'active',
        effectiveFrom,
        version: 1,
      });
      await manager.insert(Unit, unit);
      await manager.insert(UnitVersion, {
        unitId: unit.id,
        version: 1,
        validFrom: effectiveFrom,
        validTo: null,
        code: unit.code,
        name: unit.name,
        kind: unit.kind,
        subtype: unit.subtype,
        parentId: unit.parentId,
        tags,
        status: 'active',
        change: 'created',
        agency: actor.agency,
        principal: actor.principal,
        correlationId: this.cls.get('correlationId') ?? 'none',
      });
      await this.outbox.append(manager, [
        this.events.create({
          type: 'antq.units.unit-created.v1',
          subject: unit.id,
          actor,
          data: {
            unitId: unit.id,
            code: unit.code,
            name: unit.name,
            kind: unit.kind,
            subtype: unit.subtype,
            parentId: unit.parentId,
            tags,
            effectiveFrom,
            version: 1,
          },
        }),
      ]);
      return unit;
    });
  }
}
