import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsUuid } from '@antq/contracts';
import { ROLES, type Role } from './roles';

/** The claims a platform token must carry; a token is input too, and is validated. */
export class TokenClaims {
  /** The principal: a user or a service account. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  sub!: string;

  /** The acting agency's code, e.g. `ca-nghe-an` (provincial police of Nghệ An). */
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/)
  @MaxLength(100)
  agency!: string;

  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  /** Root units (ids) of the agency's jurisdiction; absent means no unit-scoped rights. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUuid({ each: true, message: 'jurisdiction must hold unit ids (UUIDs)' })
  jurisdiction?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
