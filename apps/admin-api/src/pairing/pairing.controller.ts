import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pairingRow } from '@twokey/read-models';
import { Admin, AdminPrincipal } from '../auth/principal';
import { PairingCommands } from '../commands/pairing-commands';
import { ConnectionRegistry } from '../connections/connection-registry';
import { SpaceTitles } from '../connections/space-titles';
import { observationsWithTitles } from '../connections/titled-views';
import { ApiDoc } from '../http/openapi';
import { correlationIdOf, POSITION_HEADER, secondsLeft, stampPosition } from '../http/request-context';
import { IssueTokenBody, IssuedToken, ObservationDecision, PairingView } from '../http/schemas';
import { validate } from '../http/validate';
import { Projection } from '../projection/projection';

@ApiTags('pairing')
@Controller('api/v1/connections/:connection')
export class PairingController {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly commands: PairingCommands,
    private readonly projection: Projection,
    private readonly titles: SpaceTitles,
  ) {}

  @Post('pairing-tokens')
  @HttpCode(201)
  @ApiDoc({
    summary: 'Issue a pairing code',
    description: 'Issues a one-time pairing code for a user (DM) or a space (group). The answer is the only place the code ever appears: it is never stored or logged, only its HMAC.',
    operationId: 'issuePairingToken',
    status: 201,
    body: IssueTokenBody,
    response: IssuedToken,
    problems: [400, 404, 409, 503],
  })
  async issue(@Param('connection') connection: string, @Body() raw: unknown, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const body = validate(IssueTokenBody, raw);
    const { result, position } = await this.commands.send('issue-token', { connection, ...body }, admin.id, correlationIdOf(req, res));
    // The code must not linger in any cache.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader(POSITION_HEADER, String(position));
    return { tokenId: result.tokenId, code: result.code, expiresAt: result.expiresAt, position };
  }

  @Delete('pairing-tokens/:tokenId')
  @ApiDoc({ summary: 'Revoke a pairing token', description: 'Revokes an unused pairing token; a code already used cannot be revoked (409).', operationId: 'revokePairingToken', problems: [404, 409, 503] })
  async revoke(@Param('connection') connection: string, @Param('tokenId') tokenId: string, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { result, position } = await this.commands.send('revoke-token', { connection, tokenId }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    return { ...result, position };
  }

  @Get('pairing')
  @ApiDoc({ summary: 'Pairing state', description: 'Active tokens (never their codes) and observations awaiting approval (the second key).', operationId: 'getPairing', response: PairingView, problems: [404] })
  async pairing(@Param('connection') connection: string, @Res({ passthrough: true }) res: Response) {
    this.registry.require(connection);
    stampPosition(res, this.projection.position());
    const row = pairingRow(this.projection.models, connection);
    const observations = await observationsWithTitles(this.titles, connection, row.observations);
    const now = Date.now();
    return {
      connection,
      tokens: row.tokens.map((t) => ({ ...t, secondsLeft: secondsLeft(t.expiresAt, now) })),
      observations: observations.map((o) => ({ ...o, secondsLeft: secondsLeft(o.expiresAt, now) })),
    };
  }

  @Post('observations/:observationId/approve')
  @HttpCode(200)
  @ApiDoc({ summary: 'Approve an observation', description: 'Approves one observation by id: its user or space joins the allowlist.', operationId: 'approveObservation', response: ObservationDecision, problems: [404, 409, 503] })
  async approve(@Param('connection') connection: string, @Param('observationId') observationId: string, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { result, position } = await this.commands.send('approve-observation', { connection, observationId }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    return { ...result, position };
  }

  @Post('observations/:observationId/reject')
  @HttpCode(200)
  @ApiDoc({ summary: 'Reject an observation', description: 'Rejects one observation by id; nobody is added.', operationId: 'rejectObservation', response: ObservationDecision, problems: [404, 409, 503] })
  async reject(@Param('connection') connection: string, @Param('observationId') observationId: string, @Admin() admin: AdminPrincipal, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    this.registry.requireConfigured(connection);
    const { result, position } = await this.commands.send('reject-observation', { connection, observationId }, admin.id, correlationIdOf(req, res));
    res.setHeader(POSITION_HEADER, String(position));
    return { ...result, position };
  }
}
