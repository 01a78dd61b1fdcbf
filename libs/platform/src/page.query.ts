import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { QueryInteger } from './validation';

/** `?offset=&limit=` on every list endpoint. */
export class PageQuery {
  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @QueryInteger(0, 1_000_000_000)
  offset = 0;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @QueryInteger(1, 1000)
  limit = 100;
}
