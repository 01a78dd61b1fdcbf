import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  type ValidationArguments,
  type ValidationError,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { UNIT_KINDS, type UnitKind } from '@antq/contracts';
import { NotBlank } from '@antq/platform';

const CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * For a field holding one object: @ValidateNested alone passes a list (it checks each of
 * its elements, and an empty one has none), which would be stored and break its readers.
 */
const anObject = (field: string, shape: string) => ({
  message: ({ value }: ValidationArguments) =>
    value === undefined || value === null ? `${field} is required: ${shape}` : `${field} must be an object ${shape}, not ${Array.isArray(value) ? 'a list' : typeof value}`,
});

/** A name or label, in both languages: white space alone names nothing. */
export class LocalisedText {
  @IsString()
  @NotBlank()
  vi!: string;

  @IsString()
  @NotBlank()
  en!: string;
}

/** A number criterion's bounds must hold its threshold, and the lower bound be the lower. */
function boundProblems(c: CriterionDefinition, at: string): string[] {
  const problems: string[] = [];
  const given = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
  if (given(c.min) && given(c.max) && c.min > c.max) problems.push(`${at}: min ${c.min} is above max ${c.max}`);
  if (given(c.threshold) && ((given(c.min) && c.threshold < c.min) || (given(c.max) && c.threshold > c.max))) {
    problems.push(`${at}: threshold ${c.threshold} lies outside ${c.min ?? '-∞'}..${c.max ?? '∞'}`);
  }
  return problems;
}

/** A criterion: yes/no, a number against a threshold, or points up to a maximum. */
export class CriterionDefinition {
  @Matches(CODE)
  code!: string;

  @IsObject(anObject('label', '{ vi, en }'))
  @ValidateNested()
  @Type(() => LocalisedText)
  label!: LocalisedText;

  @IsIn(['boolean', 'number', 'points'])
  type!: 'boolean' | 'number' | 'points';

  /** For `number`: the comparison that meets the criterion. */
  @IsOptional()
  @IsIn(['<=', '<', '>=', '>', '=='])
  operator?: '<=' | '<' | '>=' | '>' | '==';

  @IsOptional()
  @IsNumber()
  threshold?: number;

  /** For `number`: the values it can take (a share in per cent: 0 to 100; a count: from 0). */
  @IsOptional()
  @IsNumber()
  min?: number;

  @IsOptional()
  @IsNumber()
  max?: number;

  /** For `points`: the most a unit can score on this line. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxPoints?: number;
}

export class GradeBand {
  @Matches(CODE)
  grade!: string;

  @IsObject(anObject('label', '{ vi, en }'))
  @ValidateNested()
  @Type(() => LocalisedText)
  label!: LocalisedText;

  /** Lowest total that earns this grade. */
  @IsNumber()
  @Min(0)
  minPoints!: number;
}

export class ScoringDefinition {
  /** all-criteria: recognised when every criterion is met; points: a total graded by bands. */
  @IsIn(['all-criteria', 'points'])
  rule!: 'all-criteria' | 'points';

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => GradeBand)
  bands?: GradeBand[];

  /** For points: the grade from which a unit counts as recognised (e.g. good). */
  @IsOptional()
  @Matches(CODE)
  recognisedFrom?: string;
}

/** Kinds whose status is computed from their children's, never entered by hand. */
export class DerivationDefinition {
  @IsArray()
  @IsIn(UNIT_KINDS, { each: true })
  kinds!: UnitKind[];

  @IsArray()
  @IsIn(UNIT_KINDS, { each: true })
  childKinds!: UnitKind[];

  /** Share of active children that must be recognised (1 = all). */
  @IsNumber()
  @Min(0.01)
  @Max(1)
  share!: number;
}

export class CycleDefinition {
  @IsInt()
  @Min(1)
  @Max(12)
  startMonth!: number;

  @IsInt()
  @Min(1)
  @Max(31)
  startDay!: number;
}

/** A day of the year: the first one on or after a cycle's end is the deadline for its decisions. */
export class DeadlineDefinition {
  @IsInt()
  @Min(1)
  @Max(12)
  month!: number;

  @IsInt()
  @Min(1)
  @Max(31)
  day!: number;
}

/**
 * A programme version: data, not code. A new version never changes assessments made under
 * an older one; each assessment keeps the version it was made under.
 */
export class ProgrammeDefinition {
  @IsObject(anObject('name', '{ vi, en }'))
  @ValidateNested()
  @Type(() => LocalisedText)
  name!: LocalisedText;

  @IsArray()
  @ArrayMinSize(1)
  @IsIn(UNIT_KINDS, { each: true })
  appliesTo!: UnitKind[];

  /** Criteria per unit kind; `*` applies to kinds without a list of their own. */
  @IsObject()
  criteria!: Record<string, CriterionDefinition[]>;

  @IsObject(anObject('scoring', '{ rule, ... }'))
  @ValidateNested()
  @Type(() => ScoringDefinition)
  scoring!: ScoringDefinition;

  @IsOptional()
  @IsObject(anObject('derivation', '{ kinds, childKinds, share }'))
  @ValidateNested()
  @Type(() => DerivationDefinition)
  derivation?: DerivationDefinition;

  @IsObject(anObject('cycle', '{ startMonth, startDay }'))
  @ValidateNested()
  @Type(() => CycleDefinition)
  cycle!: CycleDefinition;

  /** Cycles of their own for some kinds (`*`: every kind without one); the others follow `cycle`. */
  @IsOptional()
  @IsObject()
  cycleByKind?: Record<string, CycleDefinition>;

  /**
   * By when a unit of a kind (`*`: every kind without one) must hold a decision for a cycle:
   * the first such day on or after the cycle's end. A kind without one is due at the cycle's end.
   */
  @IsOptional()
  @IsObject()
  deadlines?: Record<string, DeadlineDefinition>;

  /** Who recognises: the authority one level above the unit. */
  @IsIn(['parent-level'])
  recognisedBy!: 'parent-level';

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export interface ProgrammeVersion {
  programme: string;
  version: number;
  validFrom: string;
  definition: ProgrammeDefinition;
}

function describe(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${here}: ${m}`), ...describe(e.children ?? [], here)];
  });
}

/**
 * Everything wrong with a programme definition given as plain data (an empty list when it
 * is sound): its fields, each criterion of each list, a list for every kind assessed by
 * hand (a kind without one would meet "all criteria" with none), grade bands that name
 * the grade recognition starts from, and cycles and deadlines (per kind or `*`) on days
 * every year has.
 */
export function definitionProblems(raw: unknown): string[] {
  // Not an object: class-validator would only say "an unknown value was passed".
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return ['definition must be an object (a programme definition, see GET /programmes)'];
  const definition = plainToInstance(ProgrammeDefinition, raw);
  const fieldProblems = describe(validateSync(definition, { whitelist: true, forbidNonWhitelisted: true }));
  // The checks below read the kinds the programme applies to: without a list, the field problems say it all.
  if (!Array.isArray(definition.appliesTo)) return fieldProblems;
  const problems = [...fieldProblems, ...calendarProblems(definition)];
  const criteria: unknown = definition.criteria;
  if (!criteria || typeof criteria !== 'object' || Array.isArray(criteria)) return problems;
  const rule = definition.scoring?.rule;
  for (const [kind, list] of Object.entries(criteria as Record<string, unknown>)) {
    if (kind !== '*' && !definition.appliesTo?.includes(kind as never)) problems.push(`criteria.${kind}: the programme does not apply to ${kind}`);
    if (!Array.isArray(list) || !list.length) {
      problems.push(`criteria.${kind}: must be a non-empty list`);
      continue;
    }
    const codes = new Set<string>();
    for (const [i, entry] of (list as unknown[]).entries()) {
      const at = `criteria.${kind}[${i}]`;
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
        problems.push(`${at}: must be a criterion (code, label, type)`);
        continue;
      }
      const c = plainToInstance(CriterionDefinition, entry);
      problems.push(...describe(validateSync(c, { whitelist: true, forbidNonWhitelisted: true }), at));
      if (typeof c.code === 'string') {
        if (codes.has(c.code)) problems.push(`${at}.code: "${c.code}" appears twice in the list`);
        codes.add(c.code);
      }
      if (c.type === 'number' && (c.operator === undefined || c.threshold === undefined)) problems.push(`${at}: a number criterion needs operator and threshold`);
      if (c.type !== 'number' && (c.min !== undefined || c.max !== undefined)) problems.push(`${at}: only a number criterion takes min and max`);
      if (c.type === 'number') problems.push(...boundProblems(c, at));
      if (c.type === 'points' && c.maxPoints === undefined) problems.push(`${at}: a points criterion needs maxPoints`);
      if (rule && (rule === 'points') !== (c.type === 'points')) problems.push(`${at}: ${rule} scoring takes ${rule === 'points' ? 'points' : 'boolean or number'} criteria`);
    }
  }
  // Read only as a list: the field problems name anything else given for it.
  const derived: unknown[] = Array.isArray(definition.derivation?.kinds) ? definition.derivation.kinds : [];
  const lists = criteria as Record<string, unknown>;
  for (const kind of Array.isArray(definition.appliesTo) ? definition.appliesTo : []) {
    if (!derived.includes(kind) && lists[kind] === undefined && lists['*'] === undefined) {
      problems.push(`criteria: no list for ${kind} (nor a "*" list), and a ${kind} is assessed by hand`);
    }
  }
  if (rule === 'points') {
    const bands = Array.isArray(definition.scoring.bands) ? definition.scoring.bands : [];
    if (!bands.length) problems.push('scoring.bands: points scoring needs grade bands');
    const grades = bands.map((b) => b?.grade);
    const twice = grades.filter((g, i) => grades.indexOf(g) !== i);
    if (twice.length) problems.push(`scoring.bands: grade ${[...new Set(twice)].join(', ')} appears twice`);
    if (definition.scoring.recognisedFrom === undefined) problems.push(`scoring.recognisedFrom: points scoring must name the grade recognition starts from (one of ${grades.join(', ')})`);
    else if (!grades.includes(definition.scoring.recognisedFrom)) {
      problems.push(`scoring.recognisedFrom: "${definition.scoring.recognisedFrom}" is not one of the grade bands (${grades.join(', ')})`);
    }
  }
  return problems;
}

/** Cycles and deadlines: days that exist in every year, given for kinds the programme applies to. */
function calendarProblems(definition: ProgrammeDefinition): string[] {
  const derived: unknown[] = Array.isArray(definition.derivation?.kinds) ? definition.derivation.kinds : [];
  return [
    ...dayProblems('cycle', definition.cycle?.startMonth, definition.cycle?.startDay),
    ...perKindProblems(definition, 'cycleByKind', CycleDefinition, (c) => dayProblems(c.at, c.value.startMonth, c.value.startDay)),
    ...perKindProblems(definition, 'deadlines', DeadlineDefinition, (d) => [
      ...dayProblems(d.at, d.value.month, d.value.day),
      ...(derived.includes(d.kind) ? [`${d.at}: a ${d.kind}'s status is derived, never assessed by hand, so it has no deadline`] : []),
    ]),
  ];
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A day that exists in every year (29 February does not). */
function dayProblems(at: string, month: unknown, day: unknown): string[] {
  if (typeof month !== 'number' || typeof day !== 'number' || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return [];
  if (month === 2 && day === 29) return [`${at}: 29 February is not in every year; use 28 February or 1 March`];
  if (day > DAYS_IN_MONTH[month - 1]) return [`${at}: month ${month} has no day ${day} (it has ${DAYS_IN_MONTH[month - 1]})`];
  return [];
}

/** Problems of a map from unit kind (or `*`) to a day: its keys, its entries, and what `more` adds. */
function perKindProblems<T extends object>(
  definition: ProgrammeDefinition,
  field: 'cycleByKind' | 'deadlines',
  type: new () => T,
  more: (entry: { kind: string; at: string; value: T }) => string[],
): string[] {
  const map: unknown = definition[field];
  if (!map || typeof map !== 'object' || Array.isArray(map)) return [];
  const problems: string[] = [];
  for (const [kind, entry] of Object.entries(map as Record<string, unknown>)) {
    const at = `${field}.${kind}`;
    if (kind !== '*' && !definition.appliesTo?.includes(kind as never)) problems.push(`${at}: the programme does not apply to ${kind} (it applies to ${(definition.appliesTo ?? []).join(', ')}, or "*" for every kind)`);
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${at}: must be ${field === 'cycleByKind' ? 'a cycle (startMonth, startDay)' : 'a day (month, day)'}`);
      continue;
    }
    const value = plainToInstance(type, entry);
    const own = describe(validateSync(value, { whitelist: true, forbidNonWhitelisted: true }), at);
    problems.push(...own, ...(own.length ? [] : more({ kind, at, value })));
  }
  return problems;
}

/** The criteria a unit of a kind is assessed on. */
export function criteriaFor(definition: ProgrammeDefinition, kind: UnitKind): CriterionDefinition[] {
  return definition.criteria[kind] ?? definition.criteria['*'] ?? [];
}

/** The cycle a unit of a kind runs on: its own, else the `*` one, else the programme's. */
function cycleFor(definition: ProgrammeDefinition, kind: UnitKind): CycleDefinition {
  return definition.cycleByKind?.[kind] ?? definition.cycleByKind?.['*'] ?? definition.cycle;
}

export interface CycleBounds {
  cycle: number;
  start: string;
  end: string;
}

/** The cycle (by year of its end) a date falls in for a unit of a kind, and its bounds. */
export function cycleOf(definition: ProgrammeDefinition, kind: UnitKind, date: string): CycleBounds {
  const { startMonth, startDay } = cycleFor(definition, kind);
  const year = Number(date.slice(0, 4));
  // A cycle starting 16 Nov 2023 is "2024". A cycle starting 1 Jan is its own year.
  const startsNewCycle = startMonth !== 1 || startDay !== 1;
  const cycle = startsNewCycle && date >= `${year}-${pad(startMonth)}-${pad(startDay)}` ? year + 1 : year;
  return cycleBounds(definition, kind, cycle);
}

/** Where a cycle begins and ends for a unit of a kind. */
export function cycleBounds(definition: ProgrammeDefinition, kind: UnitKind, cycle: number): CycleBounds {
  const { startMonth, startDay } = cycleFor(definition, kind);
  const startYear = startMonth !== 1 || startDay !== 1 ? cycle - 1 : cycle;
  const next = new Date(Date.UTC(startYear + 1, startMonth - 1, startDay));
  next.setUTCDate(next.getUTCDate() - 1);
  return { cycle, start: `${startYear}-${pad(startMonth)}-${pad(startDay)}`, end: next.toISOString().slice(0, 10) };
}

/**
 * By when a unit of a kind must hold a decision for a cycle: the first day of its deadline
 * (its own, else the `*` one) on or after the cycle's end; without one, the cycle's end.
 */
export function cycleDeadline(definition: ProgrammeDefinition, kind: UnitKind, cycle: number): string {
  const { end } = cycleBounds(definition, kind, cycle);
  const deadline = definition.deadlines?.[kind] ?? definition.deadlines?.['*'];
  if (!deadline) return end;
  const sameYear = `${end.slice(0, 4)}-${pad(deadline.month)}-${pad(deadline.day)}`;
  return sameYear >= end ? sameYear : `${Number(end.slice(0, 4)) + 1}-${pad(deadline.month)}-${pad(deadline.day)}`;
}

/**
 * Until when a recognition for a cycle holds: the cycle's end; for a kind whose decisions
 * fall due after its cycle has ended (a deadline past the end), that kind's deadline one
 * cycle later, so that one cycle's result stands until the next one's is due.
 */
export function recognitionValidUntil(definition: ProgrammeDefinition, kind: UnitKind, cycle: number): string {
  const { end } = cycleBounds(definition, kind, cycle);
  return cycleDeadline(definition, kind, cycle) > end ? cycleDeadline(definition, kind, cycle + 1) : end;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
