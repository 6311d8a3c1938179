import { readFileSync } from 'node:fs';
import path from 'node:path';
import { verifyLarkSignature } from './signature';

const dir = path.join(__dirname, '../test/fixtures');
const rawBody = readFileSync(path.join(dir, 'im.message.receive_v1.group.encrypted.generated.body.json'));
const headers = JSON.parse(readFileSync(path.join(dir, 'im.message.receive_v1.group.encrypted.generated.headers.json'), 'utf8'));
const KEY = headers._encrypt_key_used as string;
const req = {
  timestamp: headers['x-lark-request-timestamp'] as string,
  nonce: headers['x-lark-request-nonce'] as string,
  signature: headers['x-lark-signature'] as string,
  rawBody,
};

describe('verifyLarkSignature', () => {
  it('accepts the generated fixture (signature over the raw body)', () => {
    expect(verifyLarkSignature(req, KEY)).toBe(true);
  });

  it('accepts the SDK form (compact re-serialization) of a pretty-printed body', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString()), null, 2));
    expect(verifyLarkSignature({ ...req, rawBody: pretty, parsed: JSON.parse(pretty.toString()) }, KEY)).toBe(true);
    expect(verifyLarkSignature({ ...req, rawBody: pretty }, KEY)).toBe(false);
  });

  it('refuses a wrong key, a changed body, a changed timestamp or nonce, and missing headers', () => {
    expect(verifyLarkSignature(req, 'another-key')).toBe(false);
    expect(verifyLarkSignature({ ...req, rawBody: Buffer.concat([rawBody, Buffer.from(' ')]) }, KEY)).toBe(false);
    expect(verifyLarkSignature({ ...req, timestamp: '1700000001' }, KEY)).toBe(false);
    expect(verifyLarkSignature({ ...req, nonce: 'other' }, KEY)).toBe(false);
    expect(verifyLarkSignature({ ...req, signature: undefined }, KEY)).toBe(false);
    expect(verifyLarkSignature({ ...req, signature: 'abc' }, KEY)).toBe(false);
  });
});
