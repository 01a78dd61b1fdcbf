import { Injectable, ParseUUIDPipe, type ArgumentMetadata } from '@nestjs/common';

/**
 * An id in the path: a UUID (400 otherwise) in lower case, as ids are stored and compared,
 * whatever case the caller wrote it in (request bodies take theirs through `IsUuid`).
 */
@Injectable()
export class ParseIdPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await super.transform(value, metadata)).toLowerCase();
  }
}
