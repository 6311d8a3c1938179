import { z } from 'zod';
import { ConnectionId, IsoDateTime, Platform } from './identifiers';
import { InboundMessage } from './inbound-message';
import { ReplyCapability } from './reply-capability';

/** Published on `twokey.admitted.<connection>` for the agent bridge, only after both keys matched. */
export const AdmittedMessage = z.object({
  schemaVersion: z.literal(1),
  connection: ConnectionId,
  platform: Platform,
  admittedAt: IsoDateTime,
  message: InboundMessage,
  /**
   * Lets the agent answer in this conversation/thread and nowhere else (copied onto every outbound command).
   * Absent only on messages admitted before capabilities existed: those cannot be answered.
   */
  replyCapability: ReplyCapability.optional(),
});
export type AdmittedMessage = z.infer<typeof AdmittedMessage>;
