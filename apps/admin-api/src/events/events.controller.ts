import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { EventStore } from '@twokey/event-store';
import { ApiDoc } from '../http/openapi';
import { StoredEventSchema } from '../http/openapi-components';
import { EventsQuery } from '../http/schemas';
import { validate } from '../http/validate';
import { EVENT_STORE } from '../tokens';
import { LiveStreams } from './live-streams';
import { writeNdjson } from './ndjson';

@ApiTags('audit')
@Controller('api/v1/events')
export class EventsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  @ApiProduces('application/x-ndjson')
  @ApiDoc({
    summary: 'Export the audit log',
    description: 'The audit log as NDJSON, one `StoredEvent` per line (envelope + type + data), in position order, from `fromPosition` (inclusive). Events hold ids, names, reasons, counts and code HMACs: never a pairing code or message text.',
    operationId: 'exportEvents',
    produces: 'application/x-ndjson',
    response: StoredEventSchema,
    query: EventsQuery,
    problems: [400],
  })
  async export(@Query() raw: unknown, @Res() res: Response): Promise<void> {
    const { fromPosition } = validate(EventsQuery, raw);
    res.status(200).type('application/x-ndjson').setHeader('Cache-Control', 'no-store');
    await writeNdjson(this.store.readAll(Math.max(0, fromPosition - 1)), res);
    res.end();
  }

  @Get('live')
  @ApiProduces('text/event-stream')
  @ApiDoc({ summary: 'Live read-model changes', description: 'Server-Sent Events of read-model changes: token.*, observation.*, user.*, space.*, attention.*', operationId: 'streamLiveChanges' })
  stream(@Req() req: Request, @Res() res: Response): void {
    this.live.attach(req, res);
  }
}
