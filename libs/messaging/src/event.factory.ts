import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { schemaUri, type Actor, type CloudEvent, type EventData, type EventType } from '@antq/contracts';
import type { AntqClsStore } from './execution-context';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';

export interface NewEvent<T extends EventType> {
  type: T;
  /** The unit (aggregate) id: the CloudEvents subject and the Kafka record key. */
  subject: string;
  data: EventData<T>;
  /** Defaults to the actor of the current request or event. */
  actor?: Actor;
  time?: Date;
}

/** Builds CloudEvents stamped with this service as source and the current correlation. */
@Injectable()
export class EventFactory {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly cls: ClsService<AntqClsStore>,
  ) {}

  create<T extends EventType>(event: NewEvent<T>): CloudEvent<EventData<T>> {
    const actor = event.actor ?? this.cls.get('actor');
    if (!actor) throw new Error(`Cannot emit ${event.type}: no acting agency in the current context`);
    const causationId = this.cls.get('causationId');
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: `/antq/${this.options.service}`,
      type: event.type,
      subject: event.subject,
      time: (event.time ?? new Date()).toISOString(),
      datacontenttype: 'application/json',
      dataschema: schemaUri(event.type),
      agency: actor.agency,
      principal: actor.principal,
      correlationid: this.cls.get('correlationId') ?? randomUUID(),
      ...(causationId ? { causationid: causationId } : {}),
      data: event.data,
    };
  }
}
