// The pre-join audio/video test's state: what the button does and what the user is told.
import { describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';
import { echoButtonStops, echoReducer, echoStatusKey, initialEchoTest, type EchoAction, type EchoTestState } from '../src/state/echo_test_state';

const run = (...actions: EchoAction[]): EchoTestState => actions.reduce(echoReducer, initialEchoTest);

describe('the audio/video test', () => {
  it('starts, connects and tells what came back from the server', () => {
    expect(echoStatusKey(initialEchoTest)).toBe('echo.idle');
    expect(echoButtonStops(initialEchoTest)).toBe(false);
    const starting = run({ type: 'start' });
    expect(starting.phase).toBe('starting');
    expect(echoButtonStops(starting)).toBe(true);
    expect(echoStatusKey(starting)).toBe('echo.starting');
    const running = run({ type: 'start' }, { type: 'started' });
    expect(echoStatusKey(running)).toBe('echo.waiting');
    expect(echoStatusKey(echoReducer(running, { type: 'figures', framesDecoded: 12, audioPackets: 0 }))).toBe('echo.videoOnly');
    expect(echoStatusKey(echoReducer(running, { type: 'figures', framesDecoded: 0, audioPackets: 40 }))).toBe('echo.audioOnly');
    const both = echoReducer(running, { type: 'figures', framesDecoded: 12, audioPackets: 40 });
    expect(echoStatusKey(both)).toBe('echo.both');
    expect(both.framesDecoded).toBe(12);
  });

  it('keeps counters from going back on a stale report and clamps the level', () => {
    const s = run({ type: 'start' }, { type: 'started' }, { type: 'figures', framesDecoded: 30, audioPackets: 90 }, { type: 'figures', framesDecoded: 10, audioPackets: 5 });
    expect(s.framesDecoded).toBe(30);
    expect(s.audioPackets).toBe(90);
    expect(echoReducer(s, { type: 'level', level: 3 }).audioLevel).toBe(1);
    expect(echoReducer(s, { type: 'level', level: -1 }).audioLevel).toBe(0);
    expect(echoReducer(s, { type: 'level', level: Number.NaN }).audioLevel).toBe(0);
  });

  it('ignores figures outside a running test and a second start', () => {
    expect(run({ type: 'figures', framesDecoded: 5, audioPackets: 5 })).toBe(initialEchoTest);
    expect(run({ type: 'level', level: 0.5 })).toBe(initialEchoTest);
    const starting = run({ type: 'start' });
    expect(echoReducer(starting, { type: 'start' })).toBe(starting);
    expect(echoReducer(initialEchoTest, { type: 'started' })).toBe(initialEchoTest);
  });

  it('reports a failure, which a new start clears, and forgets everything on stop', () => {
    const failed = run({ type: 'start' }, { type: 'failed', error: 'unavailable' });
    expect(failed.phase).toBe('failed');
    expect(echoStatusKey(failed)).toBe('echo.failed');
    expect(echoButtonStops(failed)).toBe(false);
    expect(echoStatusKey(run({ type: 'start' }, { type: 'failed', error: 'no_devices' }))).toBe('echo.noDevices');
    expect(echoReducer(failed, { type: 'start' }).phase).toBe('starting');
    expect(echoReducer(failed, { type: 'start' }).error).toBeNull();
    // A failure that arrives after the user stopped is not shown.
    expect(run({ type: 'start' }, { type: 'stop' }, { type: 'failed', error: 'connection' })).toEqual(initialEchoTest);
    const stopped = run({ type: 'start' }, { type: 'started' }, { type: 'figures', framesDecoded: 3, audioPackets: 3 }, { type: 'stop' });
    expect(stopped).toEqual(initialEchoTest);
  });

  it('has every status text in English and Simplified Chinese', () => {
    const keys = ['echo.idle', 'echo.starting', 'echo.waiting', 'echo.both', 'echo.videoOnly', 'echo.audioOnly', 'echo.failed', 'echo.noDevices', 'echo.start', 'echo.stop', 'echo.title', 'echo.videoLabel', 'echo.levelLabel', 'echo.nameFirst'];
    for (const key of keys) {
      expect(en[key], key).toBeTruthy();
      expect(zhCN[key], key).toBeTruthy();
      expect(zhCN[key]).not.toBe(en[key]);
    }
  });
});
