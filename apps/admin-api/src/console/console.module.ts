import { DynamicModule, Module } from '@nestjs/common';
import type { Sessions } from '../auth/sessions';
import { ConsoleAssets, resolveConsoleDir } from './console-assets';
import { ConsoleController } from './console.controller';
import { ConsoleSessionCheck, CookieSessionCheck } from './console-session';

export interface ConsoleDeps {
  sessions: Sessions;
  /** The static folder; default: CONSOLE_DIR or found next to the sources / from the repository root. */
  consoleDir?: string;
}

/**
 * The web console (plain HTML, CSS and ES modules from apps/admin-api/console, no build step). Its files are read
 * at registration, so a missing folder stops the service at start-up with a message naming CONSOLE_DIR.
 */
@Module({})
export class ConsoleModule {
  static register(deps: ConsoleDeps): DynamicModule {
    const assets = new ConsoleAssets(deps.consoleDir ?? resolveConsoleDir());
    return {
      module: ConsoleModule,
      controllers: [ConsoleController],
      providers: [
        { provide: ConsoleAssets, useValue: assets },
        { provide: ConsoleSessionCheck, useValue: new CookieSessionCheck(deps.sessions) },
      ],
    };
  }
}
