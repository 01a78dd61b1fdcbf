import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { NotBlank, PageQuery, QueryInteger } from '@antq/platform';
import { ASSESSMENT_STATES, IsCalendarDate, IsUuid, PROGRAMME_CODES, UNIT_KINDS, UNIT_PROGRAMME_STATUSES, type AssessmentState, type UnitKind, type UnitProgrammeStatus } from '@antq/contracts';

const RESULTS_ARE_A_LIST = 'results must be an array of criterion results ({ criterion, value })';

/** How many evidence references one step may carry. */
export const MAX_EVIDENCE = 100;

/** For the checks of a list's length and items: a value that is not a list is refused by IsArray alone. */
const IF_ARRAY = { validateIf: (_: object, value: unknown) => Array.isArray(value) };

/** References to evidence documents: a bounded list, each reference saying something. */
function EvidenceList(): PropertyDecorator {
  return (target, property) => {
    IsOptional()(target, property);
    IsArray()(target, property);
    ArrayMaxSize(MAX_EVIDENCE, { ...IF_ARRAY, message: `evidence may hold at most ${MAX_EVIDENCE} references` })(target, property);
    IsString({ ...IF_ARRAY, each: true })(target, property);
    NotBlank({ ...IF_ARRAY, each: true, message: 'evidence must not hold a blank reference' })(target, property);
    MaxLength(500, { ...IF_ARRAY, each: true })(target, property);
  };
}

export class CriterionResultInput {
  @ApiProperty({ example: 'no-addicts' })
  @IsString()
  @MaxLength(100)
  criterion!: string;

  @ApiProperty({ oneOf: [{ type: 'boolean' }, { type: 'number' }], example: true })
  @IsDefined()
  value!: boolean | number;
}

export class DraftAssessmentRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUuid({ message: 'unitId must be a UUID' })
  unitId!: string;

  @ApiProperty({ enum: PROGRAMME_CODES, example: 'drug-free' })
  @IsIn(PROGRAMME_CODES, { message: `programme must be one of: ${PROGRAMME_CODES.join(', ')}` })
  programme!: string;

  @ApiProperty({ example: 2024, description: 'The cycle, by the year it ends in.' })
  @IsInt()
  @Min(2000)
  @Max(2100)
  cycle!: number;

  @ApiPropertyOptional({ format: 'date', example: '2024-01-01', description: 'Defaults to the start of the cycle.' })
  @IsOptional()
  @IsCalendarDate()
  periodStart?: string;

  @ApiPropertyOptional({ format: 'date', example: '2024-12-31', description: 'Defaults to the end of the cycle.' })
  @IsOptional()
  @IsCalendarDate()
  periodEnd?: string;

  @ApiProperty({ type: [CriterionResultInput] })
  @IsDefined({ message: RESULTS_ARE_A_LIST })
  @IsArray({ message: RESULTS_ARE_A_LIST })
  @ArrayMaxSize(200, IF_ARRAY)
  @ValidateNested({ each: true, message: 'results must hold objects { criterion, value }' })
  @Type(() => CriterionResultInput)
  // Only a list is read as results: anything else is refused as not a list (as a missing one), not also checked as one result.
  @Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value : undefined))
  results!: CriterionResultInput[];

  @ApiPropertyOptional({ type: [String], maxItems: MAX_EVIDENCE, description: 'References to evidence documents.' })
  @EvidenceList()
  evidence?: string[];
}

export class StepRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_EVIDENCE })
  @EvidenceList()
  evidence?: string[];
}

/** A required `comment` saying why the assessment is `done` (rejected, withdrawn), each way of getting it wrong told so. */
const Reason = (done: string): PropertyDecorator => (target, property) => {
  // In the order stacked decorators register them (the one nearest the field first).
  MaxLength(2000)(target, property);
  NotBlank({ message: `comment must say why the assessment is ${done}` })(target, property);
  IsString({ message: `comment must say why the assessment is ${done}` })(target, property);
  IsDefined({ message: `comment is required: say why the assessment is ${done}` })(target, property);
};

/** Why the assessing side takes its draft or submission back; required, as a rejection's reason is. */
export class WithdrawalRequest {
  @ApiProperty({ example: 'Lập nhầm kỳ đánh giá', description: 'Why the assessment is withdrawn.' })
  @Reason('withdrawn')
  comment!: string;
}

/**
 * A rejection returns the assessment with its reasons, so that the unit knows what to put
 * right. Not a StepRequest: its optional comment would stay optional here too.
 */
export class RejectionRequest {
  @ApiProperty({ example: 'Chưa đủ hồ sơ: thiếu biên bản họp dân', description: 'Why the assessment is returned.' })
  @Reason('rejected')
  comment!: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_EVIDENCE })
  @EvidenceList()
  evidence?: string[];
}

export class DecisionRequest extends StepRequest {
  @ApiProperty({ example: '1234/QĐ-UBND' })
  @IsString()
  @NotBlank()
  @MaxLength(100)
  decisionNumber!: string;

  @ApiProperty({ format: 'date', example: '2024-12-20' })
  @IsCalendarDate()
  decisionDate!: string;
}

export class StatusSearchQuery extends PageQuery {
  @ApiProperty({ enum: PROGRAMME_CODES })
  @IsIn(PROGRAMME_CODES, { message: `programme must be one of: ${PROGRAMME_CODES.join(', ')}` })
  programme!: string;

  @ApiPropertyOptional({ format: 'date', example: '2024-12-31' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Units anywhere under this one (on the date).' })
  @IsOptional()
  @IsUuid({ message: 'within must be a UUID' })
  within?: string;

  @ApiPropertyOptional({ enum: UNIT_KINDS, isArray: true })
  @IsOptional()
  @IsIn(UNIT_KINDS, { each: true, message: `kind must be one of: ${UNIT_KINDS.join(', ')}` })
  kind?: UnitKind | UnitKind[];

  @ApiPropertyOptional({ enum: UNIT_PROGRAMME_STATUSES, isArray: true })
  @IsOptional()
  @IsIn(UNIT_PROGRAMME_STATUSES, { each: true, message: `status must be one of: ${UNIT_PROGRAMME_STATUSES.join(', ')}` })
  status?: UnitProgrammeStatus | UnitProgrammeStatus[];

}

export class AssessmentSearchQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Assessments of this unit and of every unit under it in the tree as it stands.' })
  @IsOptional()
  @IsUuid({ message: 'within must be a UUID' })
  within?: string;

  @ApiPropertyOptional({ enum: PROGRAMME_CODES })
  @IsOptional()
  @IsIn(PROGRAMME_CODES, { message: `programme must be one of: ${PROGRAMME_CODES.join(', ')}` })
  programme?: string;

  @ApiPropertyOptional({ example: 2024 })
  @IsOptional()
  @QueryInteger(2000, 2100, { message: 'cycle must be a year such as 2024' })
  cycle?: number;

  @ApiPropertyOptional({ enum: ASSESSMENT_STATES, isArray: true, description: 'e.g. submitted: the verifiers\' work queue' })
  @IsOptional()
  @IsIn(ASSESSMENT_STATES, { each: true, message: `state must be one of: ${ASSESSMENT_STATES.join(', ')}` })
  state?: AssessmentState | AssessmentState[];
}

export class NewProgrammeVersionRequest {
  @ApiProperty({ format: 'date', example: '2025-11-16' })
  @IsCalendarDate()
  validFrom!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The programme definition (see GET /programmes).' })
  @IsObject({ message: 'definition must be an object (a programme definition, see GET /programmes)' })
  definition!: Record<string, unknown>;
}
