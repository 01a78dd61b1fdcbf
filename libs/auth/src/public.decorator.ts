import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'antq:public';

/** Marks a route that needs no token: health, metrics and the API documents. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
