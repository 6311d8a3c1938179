import { ackInfo } from './jetstream-consumers';

describe('ackInfo', () => {
  it('reads the sequences and the pending count of both reply subject forms', () => {
    expect(ackInfo('$JS.ACK.TWOKEY_EVENTS.reader1.1.4711.12.1732460000000000000.0')).toEqual({ streamSeq: 4711, deliverySeq: 12, pending: 0 });
    expect(ackInfo('$JS.ACK.hub.ACCHASH.TWOKEY_EVENTS.reader1.1.4711.12.1732460000000000000.99')).toEqual({ streamSeq: 4711, deliverySeq: 12, pending: 99 });
    expect(ackInfo('$JS.ACK.hub.ACCHASH.TWOKEY_EVENTS.reader1.2.5.3.1732460000000000000.7.Xy12')).toEqual({ streamSeq: 5, deliverySeq: 3, pending: 7 });
  });

  it('refuses anything else rather than guessing a position', () => {
    for (const reply of [
      undefined,
      '',
      '_INBOX_admin-api.abc',
      '$JS.ACK.S.C.1.2.3',
      '$JS.ACK.S.C.1.x.3.4.5',
      '$JS.ACK.S.C.1.2..4.5',
      '$JS.ACK.S.C.1.-2.3.4.5',
      '$JS.ACK.S.C.1.2.3.4.5.6.7.8.9.10',
      '$JS.ACK.S.C.1.99999999999999999.3.4.5',
    ]) {
      expect(ackInfo(reply)).toBeUndefined();
    }
  });
});
