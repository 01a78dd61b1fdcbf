import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { isProgrammeCode, PROGRAMME_CODES, type Actor, type ProgrammeCode } from '@antq/contracts';
import { EventFactory, OutboxService } from '@antq/messaging';
import { InvalidInputError, NotFoundError, RuleViolationError } from '@antq/platform';
import { definitionProblems, type ProgrammeDefinition, type ProgrammeVersion } from './programme-definition';

/** Who publishes the versions shipped with the platform. */
const PUBLISHER: Actor = { agency: 'antq-system', principal: 'programme-publisher', roles: [] };

interface Row {
  programme: string;
  version: number;
  valid_from: string;
  definition: ProgrammeDefinition;
}

const toVersion = (row: Row): ProgrammeVersion => ({ programme: row.programme, version: row.version, validFrom: row.valid_from, definition: row.definition });

/**
 * Programme versions: data, read by version; a new version never rewrites old assessments.
 * Each version is published once as an event, in the transaction that adds it, so that the
 * other services and integrators know what each programme covers.
 */
@Injectable()
export class ProgrammesService implements OnApplicationBootstrap {
  private readonly log = new Logger(ProgrammesService.name);
  /** Versions never change once written: each is read from the database once. */
  private readonly versionCache = new Map<string, ProgrammeVersion>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
  ) {}

  /** Publishes the versions the migrations wrote (the shipped ones), once: a second instance finds them published. */
  async onApplicationBootstrap(): Promise<void> {
    const published = await this.dataSource.transaction(async (manager) => {
      // Waits for another instance publishing the same rows, then finds them published.
      const rows = (await manager.query(
        `SELECT programme, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, definition FROM programme_versions
          WHERE published_at IS NULL ORDER BY programme, version FOR UPDATE`,
      )) as Row[];
      await this.publish(manager, rows.map(toVersion), PUBLISHER);
      return rows.length;
    });
    if (published) this.log.log(`Published ${published} programme versions`);
  }

  async list(): Promise<ProgrammeVersion[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ON (programme) programme, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, definition
         FROM programme_versions ORDER BY programme, version DESC`,
    )) as Row[];
    return rows.map(toVersion);
  }

  async versions(programme: string): Promise<ProgrammeVersion[]> {
    const rows = (await this.dataSource.query(
      `SELECT programme, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, definition FROM programme_versions WHERE programme = $1 ORDER BY version`,
      [programme],
    )) as Row[];
    if (!rows.length) throw new NotFoundError(`Unknown programme "${programme}"`);
    return rows.map(toVersion);
  }

  /** The version in force on a date; before the programme's first version, that first one. */
  async inForce(programme: string, date: string, manager: EntityManager = this.dataSource.manager): Promise<ProgrammeVersion> {
    const rows = (await manager.query(
      `SELECT programme, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, definition FROM programme_versions
        WHERE programme = $1 ORDER BY (valid_from <= $2::date) DESC, CASE WHEN valid_from <= $2::date THEN -version ELSE version END LIMIT 1`,
      [programme, date],
    )) as Row[];
    if (!rows.length) throw new RuleViolationError(`Unknown programme "${programme}"`);
    return toVersion(rows[0]);
  }

  /**
   * The version a cycle is assessed under: the one in force in its middle (30 June of the
   * year it is named by), whichever day the cycle of a unit's kind starts on.
   */
  forCycle(programme: string, cycle: number, manager: EntityManager = this.dataSource.manager): Promise<ProgrammeVersion> {
    return this.inForce(programme, `${cycle}-06-30`, manager);
  }

  async version(programme: string, version: number, manager: EntityManager = this.dataSource.manager): Promise<ProgrammeVersion> {
    const cached = this.versionCache.get(`${programme}@${version}`);
    if (cached) return cached;
    const rows = (await manager.query(
      `SELECT programme, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, definition FROM programme_versions WHERE programme = $1 AND version = $2`,
      [programme, version],
    )) as Row[];
    if (!rows.length) throw new NotFoundError(`Programme ${programme} has no version ${version}`);
    const found = toVersion(rows[0]);
    this.versionCache.set(`${programme}@${version}`, found);
    return found;
  }

  /** Adds a version from a date; the definition is checked as thoroughly as any input. */
  async addVersion(programme: string, raw: unknown, validFrom: string, actor: Actor): Promise<ProgrammeVersion> {
    if (!isProgrammeCode(programme)) throw new NotFoundError(`Unknown programme "${programme}": the programmes are ${PROGRAMME_CODES.join(', ')}`);
    const problems = definitionProblems(raw);
    if (problems.length) throw new InvalidInputError(`Invalid programme definition: ${problems.join('; ')}`, { problems });
    return this.dataSource.transaction(async (manager) => {
      // One new version of a programme at a time: the second waits, then reads the first as the latest.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`programme-versions:${programme}`]);
      const [current] = (await manager.query(
        'SELECT version, to_char(valid_from, \'YYYY-MM-DD\') AS valid_from FROM programme_versions WHERE programme = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE',
        [programme],
      )) as { version: number; valid_from: string }[];
      if (current && validFrom < current.valid_from) {
        throw new RuleViolationError(`Version ${current.version + 1} cannot start before version ${current.version} (${current.valid_from})`);
      }
      const version = (current?.version ?? 0) + 1;
      await manager.query('INSERT INTO programme_versions (programme, version, valid_from, definition, created_by) VALUES ($1, $2, $3, $4, $5)', [
        programme,
        version,
        validFrom,
        JSON.stringify(raw),
        `${actor.agency}/${actor.principal}`,
      ]);
      const added = { programme, version, validFrom, definition: raw as ProgrammeDefinition };
      await this.publish(manager, [added], actor);
      return added;
    });
  }

  /** Appends each version's event and marks it published, in the caller's transaction. */
  private async publish(manager: EntityManager, versions: ProgrammeVersion[], actor: Actor): Promise<void> {
    if (!versions.length) return;
    await this.outbox.append(
      manager,
      versions.map(({ programme, version, validFrom, definition }) =>
        this.events.create({
          type: 'antq.assessments.programme-version-published.v1',
          subject: programme,
          actor,
          data: {
            programme: programme as ProgrammeCode,
            version,
            validFrom,
            appliesTo: definition.appliesTo,
            derivedKinds: definition.derivation?.kinds ?? [],
            definition: definition as unknown as Record<string, unknown>,
          },
        }),
      ),
    );
    await manager.query(
      'UPDATE programme_versions SET published_at = now() FROM unnest($1::text[], $2::int[]) AS p(programme, version) WHERE programme_versions.programme = p.programme AND programme_versions.version = p.version',
      [versions.map((v) => v.programme), versions.map((v) => v.version)],
    );
  }
}
