import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsDateString,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  TAG_PATTERN,
  UNIT_CODE_PATTERN,
  UNIT_KINDS,
  UNIT_SUBTYPES,
  UNIT_TAGS,
  type UnitKind,
  type UnitSubtype,
} from '@antq/contracts';

export class CreateUnitRequest {
  @ApiProperty({ example: 'NA-XA-NGHI-LOC-01', description: 'Unique, stable code of the unit.' })
  @Matches(UNIT_CODE_PATTERN, { message: 'code may hold letters, digits, dot, dash and underscore only' })
  @MaxLength(64)
  code!: string;

  @ApiProperty({ example: 'Xã Nghi Long' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: UNIT_KINDS })
  @IsIn(UNIT_KINDS, { message: `kind must be one of: ${UNIT_KINDS.join(', ')}` })
  kind!: UnitKind;

  @ApiPropertyOptional({ enum: UNIT_SUBTYPES })
  @IsOptional()
  @IsIn(UNIT_SUBTYPES, { message: `subtype must be one of: ${UNIT_SUBTYPES.join(', ')}` })
  subtype?: UnitSubtype;

  @ApiPropertyOptional({ format: 'uuid', description: 'Parent unit; required for every kind but province.' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ type: [String], example: ['border', 'ethnic-minority'], description: `Predefined: ${UNIT_TAGS.join(', ')}; free tags allowed.` })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG_PATTERN, { each: true, message: 'each tag must be lowercase words joined by hyphens' })
  tags?: string[];

  @ApiPropertyOptional({ example: '2024-01-01', description: 'Date from which the unit exists; defaults to today.' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'effectiveFrom must be a date (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'effectiveFrom must be a date (YYYY-MM-DD)' })
  effectiveFrom?: string;
}
