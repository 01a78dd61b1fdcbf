import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CloudEvent, ProgrammeVersionPublishedData } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import { recordProgrammeVersion } from '../campaigns/programme-coverage';

/** Keeps what each programme version covers, so that a target no programme version could count is refused. */
@Controller()
export class ProgrammeEventsHandler {
  @EventPattern('antq.assessments.programme-version-published.v1')
  async onVersionPublished(@Payload() event: CloudEvent<ProgrammeVersionPublishedData>, @Ctx() context: EventContext): Promise<void> {
    const { programme, version, validFrom, appliesTo } = event.data;
    await recordProgrammeVersion(context.manager, programme, { version, validFrom, kinds: appliesTo });
  }
}
