import { z } from 'zod';
import { ConnectionId, IsoDateTime, Platform } from './identifiers';
import { InboundMessage } from './inbound-message';

/** Published on `twokey.admitted.<connection>` for the agent bridge, only after both keys matched. */
export const AdmittedMessage = z.object({
  schemaVersion: z.literal(1),
  connection: ConnectionId,
  platform: Platform,
  admittedAt: IsoDateTime,
  message: InboundMessage,
});
export type AdmittedMessage = z.infer<typeof AdmittedMessage>;
