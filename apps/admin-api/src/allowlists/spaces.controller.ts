import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { listSpaces } from '@twokey/read-models';
import { Admin, AdminPrincipal } from '../auth/principal';
import { PairingCommands } from '../commands/pairing-commands';
import { ConnectionRegistry } from '../connections/connection-registry';
import { SpaceTitles } from '../connections/space-titles';
import { withSpaceTitles } from '../connections/titled-views';
import { ApiDoc } from '../http/openapi';
import { correlationIdOf, POSITION_HEADER, stampPosition } from '../http/request-context';
import { AddSpaceBody, SpaceChanged, SpaceList } from '../http/schemas';
import { validate } from '../http/validate';
import { Projection } from '../projection/projection';

/** The space allowlist of one connection (the second key, for shared conversations). */
@ApiTags('allowlists')
@Controller('api/v1/connections/:connection/spaces')
export class SpacesController {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly commands: PairingCommands,
    private readonly projection: Projection,
    private readonly titles: SpaceTitles,
  ) {}

  @Get()
  @ApiDoc({ summary: 'List spaces', description: 'Allowlisted spaces (groups, channels, workspaces), newest approval first.', operationId: 'listSpaces', response: SpaceList, problems: [404] })
  async list(@Param('connection') connection: string, @Res({ passthrough: true }) res: Response) {
    this.registry.require(connection);
    stampPosition(res, this.projection.position());
    return { items: await withSpaceTitles(this.titles, connection, listSpaces(this.projection.models, connection)) };
  }

  @Post()
  @HttpCode(201)
  @ApiDoc({ summary: 'Add a space', description: 'Adds a space by stable platform id.', operationId: 'addSpace', status: 201, body: AddSpaceBody, response: SpaceChanged, problems: [400, 404, 409, 503] })
  async add(@Param('connection') connection: string, @Body() raw: unknown, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { id, kind, title } = validate(AddSpaceBody, raw);
    const space = { id, kind, ...(title !== undefined ? { title } : {}) };
    const { result, position } = await this.commands.send('add-space', { connection, space }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    const added = listSpaces(this.projection.models, connection).find((s) => s.id === result.spaceId);
    return { spaceId: result.spaceId, position, ...(added ? { space: added } : {}) };
  }

  @Delete(':spaceId')
  @ApiDoc({ summary: 'Remove a space', description: 'Removes a space from the allowlist.', operationId: 'removeSpace', response: SpaceChanged, problems: [404, 409, 503] })
  async remove(@Param('connection') connection: string, @Param('spaceId') spaceId: string, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { result, position } = await this.commands.send('remove-space', { connection, spaceId }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    return { spaceId: result.spaceId, position };
  }
}
