import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiDoc } from '../http/openapi';
import { AgentView } from '../http/schemas';
import { AgentStatusProbe } from './agent-status-probe';

@ApiTags('agent')
@Controller('api/v1/agent')
export class AgentController {
  constructor(private readonly probe: AgentStatusProbe) {}

  @Get()
  @ApiDoc({
    summary: 'The agent bridge: agent name and version, auth state, sessions, running turns, queue depth. running:false (200) when no bridge answers.',
    response: AgentView,
  })
  async get() {
    const status = await this.probe.status();
    return { running: status !== null, status };
  }
}
