import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { CORRELATION_HEADER, type AntqClsStore } from '@antq/messaging';

/** A caller's correlation id when it is a sane token, else a new one. */
function correlationIdOf(req: IncomingMessage): string {
  const header = req.headers[CORRELATION_HEADER];
  return typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
}

/**
 * The execution context (nestjs-cls): each HTTP request runs in one holding its correlation
 * id, which the response echoes; the consumer, workers and schedulers open their own
 * (`cls.run`). It stands in for `ClsModule.forRoot`, which also registers a global guard and
 * interceptor, pass-through when not mounted, that still send every request and every
 * consumed event through Nest's interceptor chain (an async resource and an rxjs pipeline
 * each): a fifth of the backbone's throughput.
 */
@Global()
@Module({
  providers: [{ provide: ClsService, useValue: ClsServiceManager.getClsService() }],
  exports: [ClsService],
})
export class RequestContextModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    const cls = ClsServiceManager.getClsService<AntqClsStore>();
    const openContext = (req: IncomingMessage, res: ServerResponse, next: () => void) =>
      cls.run(() => {
        const correlationId = correlationIdOf(req);
        cls.set('correlationId', correlationId);
        res.setHeader(CORRELATION_HEADER, correlationId);
        next();
      });
    // Express 5 runs a middleware mounted on '/' for every path.
    consumer.apply(openContext).forRoutes('/');
  }
}
