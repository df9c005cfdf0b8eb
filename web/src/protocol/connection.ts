// One WebSocket to parleyd: requests matched to responses, events to listeners, reconnection.
import { ParleyError } from './errors';
import { decodeFrame, encodeRequest } from './wire';

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unreachable' | 'closed';

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: ParleyError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface ConnectionOptions {
  url: string;
  /** Sent in auth.hello after every (re)connect; null for a connection that stays anonymous. */
  token: () => string | null;
  requestTimeoutMs?: number;
  /** Delays between reconnect attempts; the last one repeats. */
  backoffMs?: number[];
  /** Attempts of the first connect before the server is reported unreachable. */
  webSocket?: typeof WebSocket;
}

type EventHandler = (data: Record<string, unknown>, ev: string) => void;

/** Delay before reconnect attempt `attempt` (0-based) with the given schedule. */
export function backoffDelay(attempt: number, schedule: number[]): number {
  if (schedule.length === 0) return 1000;
  return schedule[Math.min(attempt, schedule.length - 1)];
}

export class Connection {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private handlers = new Map<string, Set<EventHandler>>();
  private statusHandlers = new Set<(s: ConnectionStatus) => void>();
  private reconnectHandlers = new Set<() => void>();
  private attempt = 0;
  private wanted = false;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  status: ConnectionStatus = 'idle';
  user: Record<string, unknown> | null = null;

  constructor(private readonly options: ConnectionOptions) {}

  /** Opens the socket and says hello; resolves once the connection can be used. */
  open(): Promise<void> {
    this.wanted = true;
    return new Promise((resolve, reject) => {
      this.dial(resolve, reject);
    });
  }

  close(): void {
    this.wanted = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.ws?.close(1000);
    this.ws = null;
    this.failPending('disconnected', 'the connection was closed');
    this.setStatus('closed');
  }

  call<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1 || (this.status !== 'open' && op !== 'auth.hello')) {
      return Promise.reject(new ParleyError('disconnected', 'not connected to the server'));
    }
    const id = this.nextId++;
    const timeout = this.options.requestTimeoutMs ?? 20000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ParleyError('timeout', `${op} got no answer`));
      }, timeout);
      this.pending.set(id, { resolve: resolve as (r: Record<string, unknown>) => void, reject, timer });
      ws.send(encodeRequest({ op, id, args: args ?? {} }));
    });
  }

  on(ev: string, handler: EventHandler): () => void {
    if (!this.handlers.has(ev)) this.handlers.set(ev, new Set());
    this.handlers.get(ev)!.add(handler);
    return () => this.handlers.get(ev)?.delete(handler);
  }

  /** Every event, whatever its name (the meeting room feeds them all to its state). */
  onAny(handler: EventHandler): () => void {
    return this.on('*', handler);
  }

  onStatus(handler: (s: ConnectionStatus) => void): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  /** Called after an unexpected drop once the connection is open and signed in again. */
  onReconnected(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  private setStatus(s: ConnectionStatus) {
    if (this.status === s) return;
    this.status = s;
    for (const h of this.statusHandlers) h(s);
  }

  private dial(resolve?: () => void, reject?: (e: ParleyError) => void) {
    const Impl = this.options.webSocket ?? WebSocket;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    let ws: WebSocket;
    try {
      ws = new Impl(this.options.url);
    } catch (e) {
      reject?.(new ParleyError('disconnected', (e as Error).message));
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let helloDone = false;
    ws.onopen = () => {
      const token = this.options.token();
      const ready = () => {
        helloDone = true;
        const wasReconnect = this.everOpened;
        this.everOpened = true;
        this.attempt = 0;
        this.setStatus('open');
        resolve?.();
        if (wasReconnect) for (const h of this.reconnectHandlers) h();
      };
      if (!token) {
        ready();
        return;
      }
      this.call<{ user: Record<string, unknown> }>('auth.hello', { token })
        .then((r) => {
          this.user = r.user;
          ready();
        })
        .catch((e: ParleyError) => {
          if (e.code === 'unauthenticated') {
            // The token is no good: retrying cannot help; the app asks the user to sign in.
            this.wanted = false;
            reject?.(e);
            ws.close(1000);
            this.setStatus('closed');
            return;
          }
          // A service still starting (unavailable, timeout): drop this socket and try again.
          reject?.(e);
          ws.close(1000);
        });
    };
    ws.onmessage = (msg) => this.receive(msg.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending('disconnected', 'the connection to the server was lost');
      if (!this.wanted) return;
      if (!helloDone && !this.everOpened) {
        this.setStatus('unreachable');
        reject?.(new ParleyError('disconnected', 'the server cannot be reached'));
        // Keep trying in the background; the screen says the server is unreachable meanwhile.
      } else {
        this.setStatus('reconnecting');
      }
      const delay = backoffDelay(this.attempt++, this.options.backoffMs ?? [500, 1000, 2000, 4000, 8000]);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.wanted) this.dial();
      }, delay);
    };
  }

  private receive(data: unknown) {
    if (!(data instanceof ArrayBuffer)) return;
    const frame = decodeFrame(data);
    if (frame.kind === 'response') {
      if (frame.re === null) return;
      const p = this.pending.get(frame.re);
      if (!p) return;
      this.pending.delete(frame.re);
      clearTimeout(p.timer);
      if (frame.ok) p.resolve(frame.result);
      else p.reject(new ParleyError(frame.error.code, frame.error.message));
    } else if (frame.kind === 'event') {
      for (const h of this.handlers.get(frame.ev) ?? []) h(frame.data, frame.ev);
      for (const h of this.handlers.get('*') ?? []) h(frame.data, frame.ev);
    }
  }

  private failPending(code: string, message: string) {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ParleyError(code, message));
    }
    this.pending.clear();
  }
}

export function webSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}
