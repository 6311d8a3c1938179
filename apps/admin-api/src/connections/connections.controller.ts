import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiDoc } from '../http/openapi';
import { stampPosition } from '../http/request-context';
import { ConnectionList, ConnectionTestResult, ReconnectResultSchema } from '../http/schemas';
import { Projection } from '../projection/projection';
import { ConnectionRegistry } from './connection-registry';
import { ConnectionTester } from './connection-tester';

@ApiTags('connections')
@Controller('api/v1/connections')
export class ConnectionsController {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly tester: ConnectionTester,
    private readonly projection: Projection,
  ) {}

  @Get()
  @ApiDoc({
    summary: 'List connections',
    description: 'Every connection: platform, configured, connected (its gateway answers now and talks to the platform), last connection test, counts.',
    operationId: 'listConnections',
    response: ConnectionList,
  })
  async list(@Res({ passthrough: true }) res: Response) {
    const items = await this.registry.list();
    stampPosition(res, this.projection.position());
    return { items };
  }

  @Post(':connection/connection-test')
  @HttpCode(200)
  @ApiDoc({
    summary: 'Test a connection',
    description: 'Asks the gateway to check its platform credentials. A gateway that is not running is ok:false (200).',
    operationId: 'testConnection',
    response: ConnectionTestResult,
    problems: [404],
  })
  async test(@Param('connection') connection: string) {
    const id = this.registry.require(connection);
    const { at, ...result } = await this.tester.test(id);
    this.registry.recordTest(id, { ...result, at });
    return result;
  }

  @Post(':connection/reconnect')
  @HttpCode(200)
  @ApiDoc({
    summary:
      'Asks the gateway to restart its platform connection afresh: the way out once a halt (rejected credentials, Discord 4014 …) is fixed. A gateway that is not running is ok:false (200).',
    response: ReconnectResultSchema,
    problems: [404],
  })
  async reconnect(@Param('connection') connection: string) {
    const id = this.registry.requireConfigured(connection).id;
    const result = await this.tester.reconnect(id);
    this.registry.forgetStatus(id);
    return result;
  }
}
