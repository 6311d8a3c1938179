import { fromEnv } from '../../deploy/nats/provision';

describe('provisioner settings', () => {
  it('M7: reads the transport streams’ size limits, and refuses a limit that is not a size', () => {
    expect(fromEnv({}).transportMaxBytes).toEqual({});
    expect(fromEnv({ STREAM_MAX_BYTES_INBOUND: String(2 * 1024 ** 3), STREAM_MAX_BYTES_DELIVERED: '' }).transportMaxBytes).toEqual({ inbound: 2 * 1024 ** 3 });
    expect(() => fromEnv({ STREAM_MAX_BYTES_ADMITTED: '1GB' })).toThrow(/STREAM_MAX_BYTES_ADMITTED must be a whole number of bytes/);
    expect(() => fromEnv({ STREAM_MAX_BYTES_OUTBOUND: '1000' })).toThrow(/at least 1 MiB/);
  });
});
