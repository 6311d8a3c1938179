import type { CapabilityProfile, MarkdownDialect, ReplyFormat } from '@twokey/contracts';
import { renderBlocks } from './render';
import { splitRendered } from './split';

export interface RenderedReply {
  /** The platform messages, in order, each within the profile's limit. */
  chunks: string[];
  /** In the profile's dialect (send with its parse mode); false: plain text, sent without any. */
  formatted: boolean;
  dialect: MarkdownDialect;
}

/** Paragraph boundaries of plain text, so a plain answer is split where a reader would pause. */
function plainBlocks(text: string): string[] {
  return text.split(/\n{2,}/).filter((b) => b.trim() !== '');
}

/**
 * A reply as the platform takes it: Markdown rendered to the profile's dialect, or (`plain`, or `asPlain` after the
 * platform refused the formatting) the text as is, then split to the profile's limit.
 */
export function renderReply(
  text: string,
  format: ReplyFormat,
  profile: Pick<CapabilityProfile, 'dialect' | 'maxLength' | 'lengthUnit'>,
  options: { asPlain?: boolean; maxLength?: number } = {},
): RenderedReply {
  const limit = { maxLength: options.maxLength ?? profile.maxLength, lengthUnit: profile.lengthUnit };
  if (format === 'plain' || options.asPlain || profile.dialect === 'plain') {
    const blocks = format === 'markdown' ? renderBlocks(text, 'plain') : plainBlocks(text);
    return { chunks: splitRendered('plain', blocks, limit), formatted: false, dialect: 'plain' };
  }
  return { chunks: splitRendered(profile.dialect, renderBlocks(text, profile.dialect), limit), formatted: true, dialect: profile.dialect };
}

/**
 * One chunk as plain text, for a platform that refused its markup: Telegram's HTML loses its tags and entities
 * (never longer than before); the Markdown dialects are sent as they are, without a parse mode.
 */
export function plainChunk(dialect: MarkdownDialect, chunk: string): string {
  if (dialect !== 'telegram-html') return chunk;
  return chunk
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
