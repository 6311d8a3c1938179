import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { listUsers } from '@twokey/read-models';
import { Admin, AdminPrincipal } from '../auth/principal';
import { PairingCommands } from '../commands/pairing-commands';
import { ConnectionRegistry } from '../connections/connection-registry';
import { ApiDoc } from '../http/openapi';
import { correlationIdOf, POSITION_HEADER, stampPosition } from '../http/request-context';
import { AddUserBody, UserChanged, UserList } from '../http/schemas';
import { validate } from '../http/validate';
import { Projection } from '../projection/projection';

/** Authorized User IDs of one connection (the first key). */
@ApiTags('allowlists')
@Controller('api/v1/connections/:connection/users')
export class UsersController {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly commands: PairingCommands,
    private readonly projection: Projection,
  ) {}

  @Get()
  @ApiDoc({ summary: 'List users', description: 'Authorized User IDs, newest approval first, with who approved them and how.', operationId: 'listUsers', response: UserList, problems: [404] })
  list(@Param('connection') connection: string, @Res({ passthrough: true }) res: Response) {
    this.registry.require(connection);
    stampPosition(res, this.projection.position());
    return { items: listUsers(this.projection.models, connection) };
  }

  @Post()
  @HttpCode(201)
  @ApiDoc({ summary: 'Add a user', description: 'Adds a user by stable platform id (manual allowlisting, e.g. from Attention).', operationId: 'addUser', status: 201, body: AddUserBody, response: UserChanged, problems: [400, 404, 409, 503] })
  async add(@Param('connection') connection: string, @Body() raw: unknown, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { id, displayName, username } = validate(AddUserBody, raw);
    const user = { id, ...(displayName !== undefined ? { displayName } : {}), ...(username !== undefined ? { username } : {}) };
    const { result, position } = await this.commands.send('add-user', { connection, user }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    const added = listUsers(this.projection.models, connection).find((u) => u.id === result.userId);
    return { userId: result.userId, position, ...(added ? { user: added } : {}) };
  }

  @Delete(':actorId')
  @ApiDoc({ summary: 'Remove a user', description: 'Removes a user from the allowlist; their next message is denied silently.', operationId: 'removeUser', response: UserChanged, problems: [404, 409, 503] })
  async remove(@Param('connection') connection: string, @Param('actorId') actorId: string, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { result, position } = await this.commands.send('remove-user', { connection, userId: actorId }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    return { userId: result.userId, position };
  }
}
