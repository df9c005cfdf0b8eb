// The WebSocket envelope: one msgpack map per binary frame (request, response or event).
import { decode, encode } from '@msgpack/msgpack';

export interface Request {
  op: string;
  id: number;
  args?: Record<string, unknown>;
}

export interface WireError {
  code: string;
  message: string;
}

export type Incoming =
  | { kind: 'response'; re: number | null; ok: true; result: Record<string, unknown> }
  | { kind: 'response'; re: number | null; ok: false; error: WireError }
  | { kind: 'event'; ev: string; data: Record<string, unknown> }
  | { kind: 'invalid'; reason: string };

export function encodeRequest(request: Request): Uint8Array {
  const frame: Record<string, unknown> = { op: request.op, id: request.id };
  if (request.args !== undefined) frame.args = request.args;
  return encode(frame);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Reads one frame from the server; anything that is not a documented shape is `invalid`. */
export function decodeFrame(bytes: ArrayBuffer | Uint8Array): Incoming {
  let value: unknown;
  try {
    value = decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), { useBigInt64: false });
  } catch (e) {
    return { kind: 'invalid', reason: `not msgpack: ${(e as Error).message}` };
  }
  if (!isMap(value)) return { kind: 'invalid', reason: 'frame is not a map' };
  if (typeof value.ev === 'string') {
    return { kind: 'event', ev: value.ev, data: isMap(value.data) ? value.data : {} };
  }
  if ('re' in value && typeof value.ok === 'boolean') {
    const re = typeof value.re === 'number' ? value.re : null;
    if (value.ok) return { kind: 'response', re, ok: true, result: isMap(value.result) ? value.result : {} };
    const err = isMap(value.error) ? value.error : {};
    return {
      kind: 'response',
      re,
      ok: false,
      error: {
        code: typeof err.code === 'string' ? err.code : 'internal',
        message: typeof err.message === 'string' ? err.message : '',
      },
    };
  }
  return { kind: 'invalid', reason: 'neither a response nor an event' };
}
