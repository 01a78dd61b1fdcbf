import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { NotBlank, ParseIdPipe } from '@antq/platform';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CurrentActor } from '@antq/auth';
import { IsCalendarDate, IsUuid } from '@antq/contracts';
import type { Principal } from '../authority/authority.service';
import { KeyAreasService } from './key-areas.service';


class KeyAreaDecisionRequest {
  @ApiProperty({ example: '56/QĐ-UBND' })
  @IsString()
  @NotBlank()
  @MaxLength(100)
  decisionNumber!: string;

  @ApiProperty({ format: 'date', example: '2024-02-01' })
  @IsCalendarDate()
  decisionDate!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

class DesignationRequest extends KeyAreaDecisionRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUuid({ message: 'unitId must be a UUID' })
  unitId!: string;

  @ApiProperty({ example: 2024 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  cycle!: number;
}

@ApiTags('key complex areas')
@ApiBearerAuth()
@Controller('key-areas')
export class KeyAreasController {
  constructor(private readonly keyAreas: KeyAreasService) {}

  @Post('designations')
  @ApiOperation({ summary: 'Designate a key complex area by yearly decision; its transformation is then assessed' })
  async designate(@Body() request: DesignationRequest, @CurrentActor() actor: Principal) {
    return { status: await this.keyAreas.designate(request.unitId, request.cycle, request, actor) };
  }

  @Get(':unitId')
  @ApiOperation({ summary: "An area's current place on the list and every decision on it: designation, follow-up, removal, carry-over" })
  decisions(@Param('unitId', ParseIdPipe) unitId: string) {
    return this.keyAreas.decisions(unitId);
  }

  @Post(':unitId/follow-up')
  @HttpCode(200)
  @ApiOperation({ summary: 'A transformed area goes under follow-up' })
  async followUp(@Param('unitId', ParseIdPipe) unitId: string, @Body() request: KeyAreaDecisionRequest, @CurrentActor() actor: Principal) {
    return { status: await this.keyAreas.advance(unitId, 'followed-up', request, actor) };
  }

  @Post(':unitId/removal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take an area off the list' })
  async remove(@Param('unitId', ParseIdPipe) unitId: string, @Body() request: KeyAreaDecisionRequest, @CurrentActor() actor: Principal) {
    return { status: await this.keyAreas.advance(unitId, 'removed', request, actor) };
  }
}
