import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { attentionPage } from '@twokey/read-models';
import { ConnectionRegistry } from '../connections/connection-registry';
import { SpaceTitles } from '../connections/space-titles';
import { attentionWithTitles } from '../connections/titled-views';
import { ApiDoc } from '../http/openapi';
import { stampPosition } from '../http/request-context';
import { ActivityQuery, AttentionPageView } from '../http/schemas';
import { validate } from '../http/validate';
import { Projection } from '../projection/projection';

@ApiTags('activity')
@Controller('api/v1/activity')
export class ActivityController {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly projection: Projection,
    private readonly titles: SpaceTitles,
  ) {}

  @Get()
  @ApiDoc({
    summary: 'List Attention',
    description: 'Activity → Attention: denial groups (actor, conversation, reason, count, first/last seen), newest first, cursor-paged.',
    operationId: 'listAttention',
    query: ActivityQuery,
    response: AttentionPageView,
    problems: [400, 404],
  })
  async list(@Query() raw: unknown, @Res({ passthrough: true }) res: Response) {
    const q = validate(ActivityQuery, raw);
    if (q.connection !== undefined && q.connection !== '') this.registry.require(q.connection);
    stampPosition(res, this.projection.position());
    const page = attentionPage(this.projection.models, { connection: q.connection || undefined, cursor: q.cursor || undefined, limit: q.limit });
    return { ...page, items: await attentionWithTitles(this.titles, page.items) };
  }
}
