import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { isProgrammeCode, PROGRAMME_CODES, type Actor } from '@antq/contracts';
import { InvalidInputError, NotFoundError, RuleViolationError } from '@antq/platform';
import { ProgrammeDefinition, type ProgrammeVersion } from './programme-definition';

interface Row {
  programme: string;
  version: number;
  valid_from: string;
  definition: ProgrammeDefinition;
}

const toVersion = (row: Row): ProgrammeVersion => ({ programme: row.programme, version: row.version, validFrom: row.valid_from, definition: row.definition });

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${here}: ${m}`), ...describe(e.children ?? [], here)];
  });
}

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

  /** The version in force on a date. */
  async inForce(programme: string, date: string, manager: EntityManager = this.dataSource.manager): Promise<ProgrammeVersion> {
    const rows = (await manager.query(
      `SELECT programme, version, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, definition FROM programme_versions
        WHERE programme = $1 ORDER BY (valid_from <= $2::date) DESC, version DESC LIMIT 1`,
      [programme, date],
    )) as Row[];
    if (!rows.length) throw new RuleViolationError(`Unknown programme "${programme}"`);
    return toVersion(rows[0]);
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
    const definition = plainToInstance(ProgrammeDefinition, raw);
    const problems = describe(validateSync(definition, { whitelist: true, forbidNonWhitelisted: true }));
    for (const [kind, list] of Object.entries(definition.criteria ?? {})) {
      if (kind !== '*' && !definition.appliesTo?.includes(kind as never)) problems.push(`criteria.${kind}: the programme does not apply to ${kind}`);
      if (!Array.isArray(list) || !list.length) problems.push(`criteria.${kind}: must be a non-empty list`);
      else {
        for (const [i, c] of list.entries()) {
          if (c.type === 'number' && (c.operator === undefined || c.threshold === undefined)) problems.push(`criteria.${kind}[${i}]: a number criterion needs operator and threshold`);
          if (c.type === 'points' && c.maxPoints === undefined) problems.push(`criteria.${kind}[${i}]: a points criterion needs maxPoints`);
          if ((definition.scoring?.rule === 'points') !== (c.type === 'points')) problems.push(`criteria.${kind}[${i}]: ${definition.scoring?.rule} scoring takes ${definition.scoring?.rule === 'points' ? 'points' : 'boolean or number'} criteria`);
        }
      }
    }
    if (definition.scoring?.rule === 'points' && !definition.scoring.bands?.length) problems.push('scoring.bands: points scoring needs grade bands');
    if (problems.length) throw new InvalidInputError(`Invalid programme definition: ${problems.join('; ')}`, { problems });
    return this.dataSource.transaction(async (manager) => {
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
      return { programme, version, validFrom, definition };
    });
  }
}
