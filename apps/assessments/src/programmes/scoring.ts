import type { UnitKind } from '@antq/contracts';
import { InvalidInputError } from '@antq/platform';
import { criteriaFor, type CriterionDefinition, type ProgrammeDefinition } from './programme-definition';

export interface CriterionResult {
  criterion: string;
  value: boolean | number;
}

export interface Evaluation {
  /** Every criterion met (all-criteria programmes). */
  met: boolean | null;
  /** Points total (points programmes). */
  score: number | null;
  grade: string | null;
  /** Whether the result allows recognition. */
  recognisable: boolean;
}

/**
 * Checks a unit's criterion results against the programme version and scores them.
 * Throws InvalidInputError naming every problem: criteria that are not the programme's,
 * missing ones, values of the wrong type or not finite, points out of range.
 */
export function evaluate(programme: string, definition: ProgrammeDefinition, kind: UnitKind, results: CriterionResult[]): Evaluation {
  const criteria = criteriaFor(definition, kind);
  const byCode = new Map(criteria.map((c) => [c.code, c]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const result of results) {
    const criterion = byCode.get(result.criterion);
    if (!criterion) {
      problems.push(`criterion "${result.criterion}" is not one of ${programme}'s for a ${kind} (${criteria.map((c) => c.code).join(', ')})`);
      continue;
    }
    if (seen.has(result.criterion)) problems.push(`criterion "${result.criterion}" is given twice`);
    seen.add(result.criterion);
    if (criterion.type === 'boolean' && typeof result.value !== 'boolean') problems.push(`criterion "${result.criterion}" takes true or false`);
    if (criterion.type !== 'boolean' && typeof result.value !== 'number') problems.push(`criterion "${result.criterion}" takes a number`);
    // JSON reads 1e400 as Infinity, a number that JSONB would store as null.
    else if (criterion.type !== 'boolean' && !Number.isFinite(result.value)) problems.push(`criterion "${result.criterion}" takes a finite number, not ${result.value}`);
    else if (criterion.type === 'points' && typeof result.value === 'number' && (result.value < 0 || result.value > (criterion.maxPoints ?? 0))) {
      problems.push(`criterion "${result.criterion}" scores between 0 and ${criterion.maxPoints}, not ${result.value}`);
    } else if (criterion.type === 'number' && typeof result.value === 'number' && !withinBounds(criterion, result.value)) {
      problems.push(`criterion "${result.criterion}" takes ${bounds(criterion)}, not ${result.value}`);
    }
  }
  const missing = criteria.filter((c) => !seen.has(c.code)).map((c) => c.code);
  if (missing.length) problems.push(`missing criteria: ${missing.join(', ')}`);
  if (problems.length) throw new InvalidInputError(`Invalid criteria for ${programme}: ${problems.join('; ')}`, { problems });

  const values = new Map(results.map((r) => [r.criterion, r.value]));
  if (definition.scoring.rule === 'points') {
    const score = criteria.reduce((sum, c) => sum + Number(values.get(c.code) ?? 0), 0);
    const bands = [...(definition.scoring.bands ?? [])].sort((a, b) => b.minPoints - a.minPoints);
    const grade = bands.find((b) => score >= b.minPoints)?.grade ?? null;
    const from = bands.find((b) => b.grade === definition.scoring.recognisedFrom);
    return { met: null, score, grade, recognisable: from ? score >= from.minPoints : grade !== null };
  }
  const met = criteria.every((c) => {
    const value = values.get(c.code);
    if (c.type === 'boolean') return value === true;
    const n = Number(value);
    const t = c.threshold ?? 0;
    switch (c.operator ?? '>=') {
      case '<=':
        return n <= t;
      case '<':
        return n < t;
      case '>=':
        return n >= t;
      case '>':
        return n > t;
      case '==':
        return n === t;
    }
  });
  return { met, score: null, grade: null, recognisable: met };
}

const withinBounds = (c: CriterionDefinition, value: number) => (c.min === undefined || value >= c.min) && (c.max === undefined || value <= c.max);

function bounds(c: CriterionDefinition): string {
  if (c.min !== undefined && c.max !== undefined) return `a number from ${c.min} to ${c.max}`;
  return c.min !== undefined ? `a number of at least ${c.min}` : `a number of at most ${c.max}`;
}
