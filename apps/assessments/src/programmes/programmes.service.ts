import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { isProgrammeCode, PROGRAMME_CODES, type Actor } from '@antq/contracts';
import { InvalidInputError, NotFoundError, RuleViolationError } from '@antq/platform';
import { definitionProblems, type ProgrammeDefinition, type ProgrammeVersion } from './programme-definition';

interface Row {
  programme: string;
  version: number;
  valid_from: string;
  definition: ProgrammeDefinition;
}

const toVersion = (row: Row): ProgrammeVersion => ({ programme: row.programme, version: row.version, validFrom: row.valid_from, definition: row.definition });

/** Programme versions: data, read by version; a new version never rewrites old assessments. */
@Injectable()
export class ProgrammesService {
  /** Versions never change once written: each is read from the database once. */
  private readonly versionCache = new Map<string, ProgrammeVersion>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
      return { programme, version, validFrom, definition: raw as ProgrammeDefinition };
    });
  }
}
