import { BadRequestException, Injectable, ParseUUIDPipe, type ArgumentMetadata } from '@nestjs/common';

/**
 * An id in the path: a UUID in lower case, as ids are stored and compared, whatever case the
 * caller wrote it in (request bodies take theirs through `IsUuid`); otherwise a 400 naming
 * the parameter, where a route takes two ids.
 */
@Injectable()
export class ParseIdPipe extends ParseUUIDPipe {
  constructor() {
    super({ exceptionFactory: () => new BadRequestException() });
  }

  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    try {
      return (await super.transform(value, metadata)).toLowerCase();
    } catch {
      throw new BadRequestException(`${metadata.data ?? 'id'} must be a UUID, not "${String(value).slice(0, 100)}"`);
    }
  }
}
