import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CurrentActor } from '@antq/auth';
import type { Actor } from '@antq/contracts';
import { CreateUnitUseCase } from './create-unit.use-case';
import { CreateUnitRequest } from './dto/create-unit.request';
import { PageQuery } from './dto/page.query';
import { UnitPageResponse, UnitResponse } from './dto/unit.response';
import { Unit } from './unit.entity';

@ApiTags('units')
@ApiBearerAuth()
@Controller('units')
export class UnitsController {
  constructor(
    private readonly createUnit: CreateUnitUseCase,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: UnitResponse })
  async create(@Body() request: CreateUnitRequest, @CurrentActor() actor: Actor): Promise<UnitResponse> {
    return UnitResponse.from(await this.createUnit.execute(request, actor));
  }

  @Get()
  @ApiOkResponse({ type: UnitPageResponse })
  async list(@Query() page: PageQuery): Promise<UnitPageResponse> {
    const [items, total] = await this.dataSource
      .getRepository(Unit)
      .findAndCount({ order: { code: 'ASC' }, skip: page.offset, take: page.limit });
    return { total, items: items.map((u) => UnitResponse.from(u)) };
  }

  @Get(':id')
  @ApiOkResponse({ type: UnitResponse })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UnitResponse> {
    const unit = await this.dataSource.getRepository(Unit).findOneBy({ id });
    if (!unit) throw new NotFoundException(`Unit ${id} does not exist`);
    return UnitResponse.from(unit);
  }
}
