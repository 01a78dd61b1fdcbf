import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Roles } from '@antq/auth';
import { foldForSearch } from '@antq/contracts';
import { asArray, Clock, csvAnswer, InvalidInputError, NotFoundError, ParseIdPipe, wantsCsv } from '@antq/platform';
import {
  AbolishLevelRequest,
  AsOfQuery,
  CloseUnitRequest,
  CreateUnitRequest,
  MergeUnitsRequest,
  MoveUnitRequest,
  SplitUnitRequest,
  SubtreeQuery,
  UnitPageQuery,
  UnitSearchQuery,
  UpdateUnitRequest,
  type ExistingOrNewUnit,
} from './dto/unit.requests';
import { AbolishLevelResponse, LineageResponse, UnitPageResponse, UnitResponse, UnitVersionResponse } from './dto/unit.responses';
import type { Caller } from './tree-change-set';
import { TreeRepository } from './tree.repository';
import type { UnitState } from './unit-state';
import { TreeService, type MergeTarget } from './tree.service';

function reference(ref: ExistingOrNewUnit, role: string): MergeTarget {
  if (ref.unitId) return { unitId: ref.unitId };
  if (!ref.code || !ref.name) throw new InvalidInputError(`${role} needs either unitId or code and name`);
  return { code: ref.code, name: ref.name, subtype: ref.subtype, parentId: ref.parentId, tags: ref.tags };
}

/** The columns of a unit export, in the order a reader scans them. */
const UNIT_COLUMNS: (keyof UnitResponse)[] = ['code', 'name', 'kind', 'subtype', 'status', 'tags', 'validFrom', 'validTo', 'version', 'id', 'parentId'];

@ApiTags('units')
@ApiBearerAuth()
@Controller('units')
export class UnitsController {
  constructor(
    private readonly tree: TreeService,
    private readonly repository: TreeRepository,
    private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Add a unit, effective from a date' })
  @ApiCreatedResponse({ type: UnitResponse })
  async create(@Body() request: CreateUnitRequest, @CurrentActor() actor: Caller): Promise<UnitResponse> {
    const { effectiveFrom, ...spec } = request;
    return UnitResponse.from(await this.tree.create(spec, effectiveFrom ?? this.clock.today(), actor));
  }

  @Get()
  @ApiOperation({
    summary: 'Find units as of a date: by name (diacritics ignored), parent, subtree, kind, tag, status',
    description: 'With `Accept: text/csv`, the page as a spreadsheet file (tags joined by semicolons), the total in `X-Total-Count`.',
  })
  @ApiOkResponse({ type: UnitPageResponse })
  @ApiProduces('application/json', 'text/csv')
  async find(@Query() query: UnitSearchQuery, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<UnitPageResponse | string> {
    const asOf = query.asOf ?? this.clock.today();
    const page = await this.repository.find({
      asOf,
      parentId: query.parentId,
      within: query.within,
      kinds: asArray(query.kind),
      tags: asArray(query.tag),
      search: query.q ? foldForSearch(query.q) : undefined,
      status: query.status ?? 'active',
      offset: query.offset,
      limit: query.limit,
    });
    const items = page.items.map((u) => UnitResponse.from(u));
    if (wantsCsv(request)) return csvAnswer(response, `units-${asOf}.csv`, UNIT_COLUMNS, items, page.total);
    return { total: page.total, offset: query.offset, limit: query.limit, asOf, items };
  }

  @Post('merge')
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Merge units into a new or existing unit; their children move to it' })
  @ApiCreatedResponse({ type: UnitResponse })
  async merge(@Body() request: MergeUnitsRequest, @CurrentActor() actor: Caller): Promise<UnitResponse> {
    return UnitResponse.from(await this.tree.merge(request.sourceIds, reference(request.target, 'target'), request.effectiveFrom ?? this.clock.today(), actor));
  }

  @Post('abolish-level')
  @HttpCode(200)
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Abolish a level: children of its units move up, the units close' })
  @ApiOkResponse({ type: AbolishLevelResponse })
  abolishLevel(@Body() request: AbolishLevelRequest, @CurrentActor() actor: Caller): Promise<AbolishLevelResponse> {
    return this.tree.abolishLevel(request.kind, request.effectiveFrom ?? this.clock.today(), actor, request.withinId);
  }

  @Get(':id')
  @ApiOkResponse({ type: UnitResponse })
  async get(@Param('id', ParseIdPipe) id: string, @Query() query: AsOfQuery): Promise<UnitResponse> {
    return UnitResponse.from(await this.requireExistedOn(id, query.asOf ?? this.clock.today()));
  }

  @Patch(':id')
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Rename a unit or change its subtype or tags, from a date' })
  @ApiOkResponse({ type: UnitResponse })
  async update(@Param('id', ParseIdPipe) id: string, @Body() request: UpdateUnitRequest, @CurrentActor() actor: Caller): Promise<UnitResponse> {
    const { effectiveFrom, ...patch } = request;
    return UnitResponse.from(await this.tree.update(id, patch, effectiveFrom ?? this.clock.today(), actor));
  }

  @Post(':id/move')
  @HttpCode(200)
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Place a unit under another parent, from a date (cycles are refused)' })
  @ApiOkResponse({ type: UnitResponse })
  async move(@Param('id', ParseIdPipe) id: string, @Body() request: MoveUnitRequest, @CurrentActor() actor: Caller): Promise<UnitResponse> {
    return UnitResponse.from(await this.tree.move(id, request.parentId, request.effectiveFrom ?? this.clock.today(), actor));
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Close a unit from a date (it must have no active children then)' })
  @ApiOkResponse({ type: UnitResponse })
  async close(@Param('id', ParseIdPipe) id: string, @Body() request: CloseUnitRequest, @CurrentActor() actor: Caller): Promise<UnitResponse> {
    return UnitResponse.from(await this.tree.close(id, request.effectiveFrom ?? this.clock.today(), actor));
  }

  @Post(':id/split')
  @Roles('admin', 'registrar')
  @ApiOperation({ summary: 'Split a unit into several new or existing units; its children move to the successors that name them, and it closes' })
  @ApiCreatedResponse({ type: [UnitResponse] })
  async split(@Param('id', ParseIdPipe) id: string, @Body() request: SplitUnitRequest, @CurrentActor() actor: Caller): Promise<UnitResponse[]> {
    const successors = request.successors.map((s, i) => ({ ...reference(s, `successors[${i}]`), ...(s.childIds && { childIds: s.childIds }) }));
    return (await this.tree.split(id, successors, request.effectiveFrom ?? this.clock.today(), actor)).map((u) => UnitResponse.from(u));
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'Active children as of a date, a page at a time, by code' })
  @ApiOkResponse({ type: UnitPageResponse })
  async children(@Param('id', ParseIdPipe) id: string, @Query() query: UnitPageQuery): Promise<UnitPageResponse> {
    return this.subtreePage(id, query, 1);
  }

  @Get(':id/subtree')
  @ApiOperation({ summary: 'Active descendants as of a date down to a depth, each with its depth, a page at a time, by depth then code' })
  @ApiOkResponse({ type: UnitPageResponse })
  async subtree(@Param('id', ParseIdPipe) id: string, @Query() query: SubtreeQuery): Promise<UnitPageResponse> {
    return this.subtreePage(id, query, query.depth);
  }

  @Get(':id/ancestors')
  @ApiOperation({ summary: 'The path up to the root as of a date, nearest first' })
  @ApiOkResponse({ type: [UnitResponse] })
  async ancestors(@Param('id', ParseIdPipe) id: string, @Query() query: AsOfQuery): Promise<UnitResponse[]> {
    const asOf = query.asOf ?? this.clock.today();
    await this.requireExistedOn(id, asOf);
    return (await this.repository.ancestors(id, asOf)).map((u) => UnitResponse.from(u));
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every version of the unit effective on or before a date, with who recorded it' })
  @ApiOkResponse({ type: [UnitVersionResponse] })
  async history(@Param('id', ParseIdPipe) id: string, @Query() query: AsOfQuery): Promise<UnitVersionResponse[]> {
    await this.requireExists(id);
    return (await this.repository.history(id, query.asOf ?? this.clock.today())).map((v) =>
      Object.assign(UnitResponse.from(v), {
        change: v.change,
        operationId: v.operationId,
        agency: v.agency,
        principal: v.principal,
        recordedAt: v.recordedAt.toISOString(),
      }),
    );
  }

  @Get(':id/lineage')
  @ApiOperation({ summary: 'What the unit was formed from and what it became, through merges and splits effective on or before a date' })
  @ApiOkResponse({ type: LineageResponse })
  async lineage(@Param('id', ParseIdPipe) id: string, @Query() query: AsOfQuery): Promise<LineageResponse> {
    await this.requireExists(id);
    const asOf = query.asOf ?? this.clock.today();
    const edges = await this.repository.lineage(id, asOf);
    const strip = ({ direction: _direction, ...edge }: (typeof edges)[number]) => edge;
    return { asOf, formedFrom: edges.filter((e) => e.direction === 'from').map(strip), became: edges.filter((e) => e.direction === 'into').map(strip) };
  }

  private async subtreePage(id: string, query: UnitPageQuery, depth: number): Promise<UnitPageResponse> {
    const asOf = query.asOf ?? this.clock.today();
    await this.requireExistedOn(id, asOf);
    const page = await this.repository.subtree(id, asOf, depth, { offset: query.offset, limit: query.limit });
    return { total: page.total, offset: query.offset, limit: query.limit, asOf, items: page.items.map((u) => UnitResponse.from(u)) };
  }

  private async requireExists(id: string): Promise<void> {
    if (!(await this.repository.exists(id))) throw new NotFoundError(`Unit ${id} does not exist`);
  }

  /** The unit's version on a date; a date before it was created is a 404 too, not an empty tree. */
  private async requireExistedOn(id: string, asOf: string): Promise<UnitState> {
    const state = await this.repository.findOneAt(id, asOf);
    if (state) return state;
    throw new NotFoundError((await this.repository.exists(id)) ? `Unit ${id} did not exist on ${asOf}` : `Unit ${id} does not exist`);
  }
}
