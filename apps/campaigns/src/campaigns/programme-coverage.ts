import type { EntityManager } from 'typeorm';
import type { UnitKind } from '@antq/contracts';

/** A programme version as the campaigns service knows it: from when, and the kinds it gives a status to. */
export interface CoverageVersion {
  version: number;
  validFrom: string;
  kinds: UnitKind[];
}

/**
 * The kinds a programme gives a status to on some day of a period, or null where no version
 * of it is known here yet (nothing to judge by). Each version holds until the next one
 * starts; the first also before its own date, as the assessments service reads it.
 */
export function kindsCoveredDuring(versions: CoverageVersion[], start: string, end: string): Set<UnitKind> | null {
  if (!versions.length) return null;
  const ordered = [...versions].sort((a, b) => a.version - b.version);
  const kinds = new Set<UnitKind>();
  ordered.forEach((v, i) => {
    const from = i === 0 ? '0000-01-01' : v.validFrom;
    const until = ordered[i + 1]?.validFrom;
    const inForce = from <= end && (until === undefined || (until > start && until > from));
    if (inForce) for (const kind of v.kinds) kinds.add(kind);
  });
  return kinds;
}

/** The versions of every programme the service has been told of, by programme. */
export async function programmeCoverage(manager: EntityManager): Promise<Map<string, CoverageVersion[]>> {
  const rows = (await manager.query(
    `SELECT programme, version, to_char(valid_from, 'YYYY-MM-DD') AS "validFrom", unit_kinds AS kinds FROM programme_coverage`,
  )) as (CoverageVersion & { programme: string })[];
  const byProgramme = new Map<string, CoverageVersion[]>();
  for (const { programme, ...version } of rows) byProgramme.set(programme, [...(byProgramme.get(programme) ?? []), version]);
  return byProgramme;
}

/** Records a published version; versions never change once published, so a repeat changes nothing. */
export async function recordProgrammeVersion(manager: EntityManager, programme: string, version: CoverageVersion): Promise<void> {
  await manager.query(
    'INSERT INTO programme_coverage (programme, version, valid_from, unit_kinds) VALUES ($1, $2, $3, $4) ON CONFLICT (programme, version) DO NOTHING',
    [programme, version.version, version.validFrom, version.kinds],
  );
}
