// The WebSocket envelope as docs/protocol.md defines it: requests out, responses and events in.
import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeRequest } from '../src/protocol/wire';

describe('requests', () => {
  it('are one msgpack map with op, id and args', () => {
    const bytes = encodeRequest({ op: 'meeting.join', id: 7, args: { meeting_id: '12345678901', password: 'pw' } });
    expect(decode(bytes)).toEqual({ op: 'meeting.join', id: 7, args: { meeting_id: '12345678901', password: 'pw' } });
  });
  it('leave args out when there are none', () => {
    expect(decode(encodeRequest({ op: 'sys.ping', id: 1 }))).toEqual({ op: 'sys.ping', id: 1 });
  });
});

describe('frames from the server', () => {
  it('a success response carries its result', () => {
    const frame = decodeFrame(encode({ re: 3, ok: true, result: { seq: 9 } }));
    expect(frame).toEqual({ kind: 'response', re: 3, ok: true, result: { seq: 9 } });
  });
  it('an error response keeps the stable code and the message', () => {
    const frame = decodeFrame(encode({ re: 4, ok: false, error: { code: 'bad_password', message: 'wrong password' } }));
    expect(frame).toEqual({ kind: 'response', re: 4, ok: false, error: { code: 'bad_password', message: 'wrong password' } });
  });
  it('a response whose id could not be read has re null', () => {
    const frame = decodeFrame(encode({ re: null, ok: false, error: { code: 'bad_request', message: 'x' } }));
    expect(frame.kind === 'response' && frame.re).toBeNull();
  });
  it('an event carries its name and data', () => {
    const frame = decodeFrame(encode({ ev: 'hand.raised', data: { participant_id: 'ab' } }));
    expect(frame).toEqual({ kind: 'event', ev: 'hand.raised', data: { participant_id: 'ab' } });
  });
  it('garbage and wrong shapes are reported, never thrown', () => {
    expect(decodeFrame(new Uint8Array([0xc1])).kind).toBe('invalid');
    expect(decodeFrame(encode([1, 2, 3])).kind).toBe('invalid');
    expect(decodeFrame(encode({ hello: 1 })).kind).toBe('invalid');
    expect(decodeFrame(new ArrayBuffer(0)).kind).toBe('invalid');
  });
  it('an error without a code is treated as internal', () => {
    const frame = decodeFrame(encode({ re: 1, ok: false }));
    expect(frame.kind === 'response' && !frame.ok && frame.error.code).toBe('internal');
  });
});
