import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ALERT_SEVERITIES, type AlertSeverity } from '@antq/contracts';
import { NotBlank } from '@antq/platform';
import { NestedObject } from '../nested-object';

// A template of white space alone would raise alerts that say nothing.
export class TemplateInput {
  @ApiProperty({ example: '{{unit.name}} mất danh hiệu "không ma túy" từ ngày {{effectiveFrom}}.' })
  @IsString()
  @NotBlank()
  @MaxLength(2000)
  vi!: string;

  @ApiProperty({ example: '{{unit.name}} lost its drug-free status on {{effectiveFrom}}.' })
  @IsString()
  @NotBlank()
  @MaxLength(2000)
  en!: string;
}

export class RuleRequest {
  @ApiProperty({ example: 'drug-free-status-lost', description: 'Unique; lowercase words joined by hyphens.' })
  @MaxLength(100)
  // Last, as class-validator reports the lowest decorator first: this says what a name is.
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'name must be lowercase words joined by hyphens, e.g. drug-free-status-lost' })
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({ example: 'antq.assessments.unit-status-changed.v1' })
  @IsString()
  eventType!: string;

  @ApiProperty({
    description: 'Comparisons of the event data, combined with all / any / not. Operators: eq, ne, in, not-in, gt, gte, lt, lte, exists.',
    example: { all: [{ field: 'programme', op: 'eq', value: 'drug-free' }, { field: 'before.status', op: 'eq', value: 'recognised' }] },
  })
  @IsDefined({ message: 'condition is required ({"all": []} matches every event)' })
  condition!: unknown;

  @ApiProperty({ enum: ALERT_SEVERITIES })
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity!: AlertSeverity;

  @ApiProperty({ type: TemplateInput })
  @IsDefined({ message: 'template is required: {"vi": "...", "en": "..."}' })
  @NestedObject(() => TemplateInput, 'template must be an object with vi and en')
  template!: TemplateInput;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
