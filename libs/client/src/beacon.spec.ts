import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Beacon } from './beacon.js';
import { BeaconError } from './errors.js';
import { fakeWebSocket, tokenExpiring } from './test/fake-socket.js';
import type { BeaconOptions, DisconnectInfo, State } from './types.js';

// Connection lifecycle with a fake socket and a fake clock (vitest's timers fake Date too).

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function setup(options: Partial<BeaconOptions> = {}) {
  const fake = fakeWebSocket();
  const beacon = new Beacon({
    url: 'ws://beacon.test/ws',
    app: 'app1',
    WebSocket: fake.WebSocket,
    autoConnect: false,
    ...options,
  });
  const states: State[] = [];
  const disconnects: DisconnectInfo[] = [];
  beacon.on('state', (s) => states.push(s));
  beacon.on('disconnected', (d) => disconnects.push(d));
  beacon.connect();
  return { beacon, ...fake, states, disconnects };
}

/** Lets pending promise callbacks (getToken, acks) run without moving the clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('connecting', () => {
  it('opens url?app=&frames=beacon&token=, is connecting until `connected`, then connected', () => {
    const { beacon, last, states } = setup({ token: 'tok.en' });
    expect(last().url).toBe('ws://beacon.test/ws?app=app1&frames=beacon&token=tok.en');
    expect(beacon.state).toBe('connecting');
    last().open();
    expect(beacon.state).toBe('connecting');
    last().accept();
    expect(beacon.state).toBe('connected');
    expect(beacon.info?.clientId).toBe('c1.1');
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('without a WebSocket implementation says which option to pass', () => {
    expect(() => new Beacon({ url: 'ws://x/ws', app: 'a' })).toThrow(/WebSocket option/);
  });

  it('tries several urls in turn', () => {
    const { sockets } = setup({ url: ['ws://a/ws', 'ws://b/ws?x=1'] });
    vi.spyOn(Math, 'random').mockReturnValue(1);
    sockets[0]?.end(1006);
    vi.advanceTimersByTime(500);
    sockets[1]?.end(1006);
    vi.advanceTimersByTime(1000);
    expect(sockets.map((s) => s.url)).toEqual([
      'ws://a/ws?app=app1&frames=beacon',
      'ws://b/ws?x=1&app=app1&frames=beacon',
      'ws://a/ws?app=app1&frames=beacon',
    ]);
  });

  it('gives up on a connection that does not get `connected` within connectTimeoutMs', () => {
    const { sockets, disconnects } = setup({ connectTimeoutMs: 3000, reconnect: { jitter: false } });
    sockets[0]?.open();
    vi.advanceTimersByTime(2999);
    expect(disconnects).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(disconnects).toEqual([{ code: 4009, reason: 'connect timeout', reconnectInMs: 500 }]);
    expect(sockets[0]?.closedWith).toEqual({ code: 1000, reason: 'connect timeout' });
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
  });
});

describe('reconnecting', () => {
  it('backs off with full jitter: exponential bound, never past the time already disconnected nor maxDelayMs', () => {
    const { sockets, disconnects } = setup({ reconnect: { minDelayMs: 100, maxDelayMs: 1000 } });
    vi.spyOn(Math, 'random').mockReturnValue(0.999999); // the top of each window
    for (let i = 0; i < 6; i++) {
      sockets.at(-1)?.end(1006);
      const wait = disconnects.at(-1)?.reconnectInMs as number;
      vi.advanceTimersByTime(wait - 1);
      expect(sockets).toHaveLength(i + 1); // not a millisecond early
      vi.advanceTimersByTime(1);
      expect(sockets).toHaveLength(i + 2);
    }
    expect(disconnects.map((d) => d.reconnectInMs)).toEqual([100, 100, 200, 400, 800, 1000]);
  });

  it('with jitter off waits the bound itself', () => {
    const { sockets, disconnects } = setup({
      reconnect: { minDelayMs: 100, maxDelayMs: 1000, jitter: false },
    });
    for (let i = 0; i < 5; i++) {
      sockets.at(-1)?.end(1006);
      vi.advanceTimersByTime(disconnects.at(-1)?.reconnectInMs as number);
    }
    expect(disconnects.map((d) => d.reconnectInMs)).toEqual([100, 200, 400, 800, 1000]);
  });

  it('starts the backoff over once a connection got `connected`', () => {
    const { sockets, disconnects } = setup({ reconnect: { minDelayMs: 100, jitter: false } });
    sockets.at(-1)?.end(1006);
    vi.advanceTimersByTime(100);
    sockets.at(-1)?.end(1006);
    vi.advanceTimersByTime(200);
    sockets.at(-1)?.accept();
    sockets.at(-1)?.end(1001);
    expect(disconnects.map((d) => d.reconnectInMs)).toEqual([100, 200, 100]);
  });

  it('stops after maxAttempts failures in a row', () => {
    const { beacon, sockets, disconnects } = setup({ reconnect: { maxAttempts: 2, jitter: false } });
    sockets.at(-1)?.end(1006);
    vi.advanceTimersByTime(500);
    sockets.at(-1)?.end(1006);
    vi.advanceTimersByTime(1000);
    sockets.at(-1)?.end(1006);
    expect(disconnects.map((d) => d.reconnectInMs)).toEqual([500, 1000, null]);
    expect(beacon.state).toBe('disconnected');
  });

  it('honours a drain: reconnects after the hint, not the backoff', () => {
    const { sockets, disconnects } = setup({ reconnect: { jitter: false } });
    sockets[0]?.accept();
    sockets[0]?.frame({ type: 'drain', reconnectAfterMs: 7000 });
    sockets[0]?.end(1012, 'draining');
    expect(disconnects).toEqual([{ code: 1012, reason: 'draining', reconnectInMs: 7000 }]);
    vi.advanceTimersByTime(6999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    // the hint is for that close only
    sockets[1]?.end(1006);
    expect(disconnects[1]?.reconnectInMs).toBe(500);
  });

  it.each([4000, 4003, 4004, 4010, 1002, 1007, 1008, 1009])('never retries close %i', (code) => {
    const { beacon, sockets, disconnects, states } = setup({ getToken: () => 'tok' });
    return flush().then(() => {
      sockets[0]?.accept();
      sockets[0]?.end(code, 'no');
      vi.advanceTimersByTime(120_000);
      expect(sockets).toHaveLength(1);
      expect(disconnects).toEqual([{ code, reason: 'no', reconnectInMs: null }]);
      expect(beacon.state).toBe('disconnected');
      expect(states.at(-1)).toBe('disconnected');
    });
  });

  it.each([1000, 1001, 1006, 1011, 4005, 4006, 4008, 4009, 4029, 4030])('retries close %i', (code) => {
    const { sockets, disconnects } = setup({ reconnect: { jitter: false } });
    sockets[0]?.accept();
    sockets[0]?.end(code);
    expect(disconnects[0]?.reconnectInMs).toBe(500);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
  });

  it('a fixed token refused (4001) or expired (4002) ends it for good', () => {
    for (const code of [4001, 4002]) {
      const { beacon, sockets } = setup({ token: 't' });
      sockets[0]?.end(code);
      vi.advanceTimersByTime(60_000);
      expect(sockets).toHaveLength(1);
      expect(beacon.state).toBe('disconnected');
    }
  });

  it('close() stops reconnecting; connect() starts again', () => {
    const { beacon, sockets, states } = setup();
    sockets[0]?.accept();
    beacon.close();
    expect(sockets[0]?.closedWith?.code).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    beacon.connect();
    expect(sockets).toHaveLength(2);
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connecting']);
  });
});

describe('heartbeats', () => {
  it('pings every heartbeat interval and drops a connection silent for the interval plus a grace', () => {
    const { sockets, disconnects } = setup({ reconnect: { jitter: false } });
    const ws = sockets[0];
    if (ws) ws.autoPong = false;
    // grace: the server's timeout minus its interval, at most 10 s; here 2 s, so 3 s of silence at most
    ws?.accept({ heartbeat: { interval: 1000, timeout: 3000 } });
    vi.advanceTimersByTime(1000);
    expect(ws?.of('ping')).toEqual([{ type: 'ping' }]);
    ws?.frame({ type: 'pong', ts: 1 });
    vi.advanceTimersByTime(2999);
    expect(ws?.of('ping')).toHaveLength(3);
    expect(disconnects).toEqual([]);
    vi.advanceTimersByTime(1); // 3 s since the pong: one more turn of the event loop, then it is dropped
    expect(disconnects).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(disconnects).toEqual([{ code: 4009, reason: 'heartbeat timeout', reconnectInMs: 500 }]);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
  });

  it("with the server's defaults (25 s, 60 s) a dead path is noticed after 35 s of silence, not 60", () => {
    const { sockets, disconnects } = setup();
    const ws = sockets[0];
    if (ws) ws.autoPong = false;
    ws?.accept(); // heartbeat { interval: 25000, timeout: 60000 }
    vi.advanceTimersByTime(35_000);
    expect(disconnects).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(disconnects).toMatchObject([{ code: 4009, reason: 'heartbeat timeout' }]);
  });

  it('a connection that answers its pings, or sends anything else, is never dropped', async () => {
    const { beacon, sockets, disconnects } = setup();
    sockets[0]?.accept({ heartbeat: { interval: 1000, timeout: 3000 } });
    await vi.advanceTimersByTimeAsync(600_000); // the fake socket answers every ping with a pong
    const ws = sockets[0];
    if (ws) ws.autoPong = false;
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(2500);
      ws?.frame({ type: 'message', kind: 'broadcast', data: i, id: `m${i}`, ts: 1 });
    }
    expect(disconnects).toEqual([]);
    expect(beacon.state).toBe('connected');
  });

  it('a frame read right after the check fell due still counts (timers may run before pending socket data)', () => {
    const { sockets, disconnects } = setup();
    const ws = sockets[0];
    if (ws) ws.autoPong = false;
    ws?.accept({ heartbeat: { interval: 1000, timeout: 3500 } }); // silence allowed: 3.5 s
    vi.advanceTimersByTime(3499);
    vi.advanceTimersToNextTimer(); // the check, due at 3.5 s: it looks again after one turn
    ws?.frame({ type: 'pong', ts: 1 }); // the data the event loop had waiting
    vi.advanceTimersByTime(1);
    expect(disconnects).toEqual([]);
    vi.advanceTimersByTime(3501); // and silence again is noticed again
    expect(disconnects).toMatchObject([{ code: 4009 }]);
  });
});

describe('tokens', () => {
  it('calls getToken at connect, and again after 4001/4002', async () => {
    let n = 0;
    const getToken = vi.fn(() => `t${++n}`);
    const { sockets } = setup({ getToken, reconnect: { jitter: false } });
    await flush();
    expect(sockets[0]?.query.get('token')).toBe('t1');
    sockets[0]?.accept();
    sockets[0]?.end(1006); // a plain loss keeps the token
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets[1]?.query.get('token')).toBe('t1');
    sockets[1]?.accept();
    sockets[1]?.end(4002);
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets[2]?.query.get('token')).toBe('t2');
    sockets[2]?.end(4001);
    await vi.advanceTimersByTimeAsync(1000); // failed attempt: backoff grows
    expect(sockets[3]?.query.get('token')).toBe('t3');
    expect(getToken).toHaveBeenCalledTimes(3);
  });

  it('retries with backoff when getToken fails, and reports it', async () => {
    const errors: BeaconError[] = [];
    const getToken = vi.fn().mockRejectedValueOnce(new Error('backend down')).mockResolvedValue('tok');
    const { beacon, sockets } = setup({ getToken, reconnect: { jitter: false } });
    beacon.on('error', (e) => errors.push(e));
    await flush();
    expect(sockets).toHaveLength(0);
    expect(errors[0]?.code).toBe('token');
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets[0]?.query.get('token')).toBe('tok');
  });

  it('refreshes over the open connection before exp, and schedules the next refresh from the new token', async () => {
    const now = Date.now();
    const tokens = [
      tokenExpiring(now + 600_000),
      tokenExpiring(now + 1_200_000),
      tokenExpiring(now + 1_800_000),
    ];
    const getToken = vi.fn(() => tokens.shift() as string);
    const { sockets } = setup({ getToken, refreshBeforeExpMs: 60_000 });
    await flush();
    const ws = sockets[0];
    ws?.accept();
    await vi.advanceTimersByTimeAsync(540_000 - 1);
    expect(ws?.of('refresh')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const [refresh] = ws?.of('refresh') ?? [];
    expect(refresh).toEqual({ type: 'refresh', token: expect.any(String), id: expect.any(Number) });
    ws?.frame({ type: 'ack', id: refresh?.id as number, expiresAt: now + 1_200_000 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(ws?.of('refresh')).toHaveLength(2);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(sockets).toHaveLength(1);
  });

  it('a short-lived token is refreshed at half its remaining life', async () => {
    const getToken = vi.fn(() => tokenExpiring(Date.now() + 20_000));
    const { sockets } = setup({ getToken });
    await flush();
    sockets[0]?.accept();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets[0]?.of('refresh')).toHaveLength(1);
  });

  it('reconnects with the new token when the server does not know `refresh`, from then on without asking', async () => {
    const getToken = vi.fn(() => tokenExpiring(Date.now() + 120_000));
    const { sockets, disconnects } = setup({ getToken });
    await flush();
    sockets[0]?.accept();
    await vi.advanceTimersByTimeAsync(60_000);
    const [refresh] = sockets[0]?.of('refresh') ?? [];
    sockets[0]?.frame({
      type: 'error',
      id: refresh?.id,
      code: 'unknown_type',
      message: 'unknown frame type',
    });
    await flush();
    expect(disconnects).toEqual([{ code: 1000, reason: 'token refresh', reconnectInMs: 0 }]);
    await flush();
    expect(sockets[1]?.query.get('token')).toBe(refresh?.token);
    sockets[1]?.accept();
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(1); // a 0 ms timer set during a fake tick is due 1 ms later
    expect(sockets[1]?.of('refresh')).toEqual([]);
    expect(sockets).toHaveLength(3);
    expect(disconnects[1]).toEqual({ code: 1000, reason: 'token refresh', reconnectInMs: 0 });
    expect(getToken).toHaveBeenCalledTimes(3);
  });
});

describe('publish', () => {
  it('resolves with the ack: msgId and, on history topics, the position', async () => {
    const { beacon, sockets } = setup();
    sockets[0]?.accept();
    const p = beacon.publish('chat', { text: 'hi' });
    const [frame] = sockets[0]?.of('publish') ?? [];
    expect(frame).toEqual({ type: 'publish', topic: 'chat', data: { text: 'hi' }, id: expect.any(Number) });
    sockets[0]?.frame({
      type: 'ack',
      id: frame?.id as number,
      topics: ['chat'],
      msgId: 'm1',
      positions: { chat: { offset: 7, epoch: 'e' } },
    });
    await expect(p).resolves.toEqual({ msgId: 'm1', position: { offset: 7, epoch: 'e' } });
  });

  it("rejects with the server's error code", async () => {
    const { beacon, sockets } = setup();
    sockets[0]?.accept();
    const p = beacon.publish('chat', 1);
    const id = sockets[0]?.of('publish')[0]?.id;
    sockets[0]?.frame({
      type: 'error',
      id,
      code: 'rate_limited',
      message: 'at most 10 publishes per second',
    });
    await expect(p).rejects.toMatchObject({ name: 'BeaconError', code: 'rate_limited' });
  });

  it('rejects with timeout when no answer comes', async () => {
    const { beacon, sockets } = setup({ requestTimeoutMs: 2000 });
    sockets[0]?.accept();
    const p = beacon.publish('chat', 1);
    const check = expect(p).rejects.toMatchObject({ code: 'timeout' });
    await vi.advanceTimersByTimeAsync(2000);
    await check;
    // a late ack is ignored
    sockets[0]?.frame({ type: 'ack', id: sockets[0]?.of('publish')[0]?.id as number });
  });

  it('waits for the connection when called before it, within its timeout', async () => {
    const { beacon, sockets } = setup();
    const p = beacon.publish('chat', 'early', { timeoutMs: 5000 });
    sockets[0]?.accept();
    const [frame] = sockets[0]?.of('publish') ?? [];
    expect(frame?.data).toBe('early');
    sockets[0]?.frame({ type: 'ack', id: frame?.id as number, msgId: 'm' });
    await expect(p).resolves.toEqual({ msgId: 'm' });
  });

  it('rejects what was sent when the connection is lost (it may or may not have been published)', async () => {
    const { beacon, sockets } = setup();
    sockets[0]?.accept();
    const p = beacon.publish('chat', 1);
    sockets[0]?.end(1006);
    await expect(p).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('refuses data over the frame limit itself, rather than being closed with 1009', async () => {
    const { beacon, sockets } = setup();
    sockets[0]?.accept({
      limits: {
        maxFrameBytes: 100,
        maxTopics: 100,
        maxPublishTopics: 100,
        maxTopicLength: 200,
        publishRate: 10,
        publishBurst: 20,
      },
    });
    await expect(beacon.publish('chat', 'é'.repeat(40))).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(sockets[0]?.sent).toEqual([]);
  });

  it('close() rejects what still waits with closed', async () => {
    const { beacon } = setup();
    const p = beacon.publish('chat', 1);
    beacon.close();
    await expect(p).rejects.toBeInstanceOf(BeaconError);
    await expect(p).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('messages not for a subscription', () => {
  it('come through one handler with their kind', () => {
    const { beacon, sockets } = setup();
    const got: unknown[] = [];
    beacon.on('message', (m) => got.push([m.kind, m.topic, m.data]));
    sockets[0]?.accept();
    for (const kind of ['user', 'client', 'broadcast'] as const) {
      sockets[0]?.frame({ type: 'message', kind, data: kind, id: 'm', ts: 1 });
    }
    sockets[0]?.frame({ type: 'message', kind: 'user', topic: 'inbox', data: 'x', id: 'm', ts: 1 });
    sockets[0]?.frame({ type: 'message', kind: 'topic', topic: 'not-mine', data: 'x', id: 'm', ts: 1 });
    expect(got).toEqual([
      ['user', undefined, 'user'],
      ['client', undefined, 'client'],
      ['broadcast', undefined, 'broadcast'],
      ['user', 'inbox', 'x'],
    ]);
  });

  it('an error frame that answers no request is reported as an error event', () => {
    const { beacon, sockets } = setup();
    const errors: BeaconError[] = [];
    beacon.on('error', (e) => errors.push(e));
    sockets[0]?.accept();
    sockets[0]?.frame({ type: 'error', code: 'bad_frame', message: 'frame nests too deep' });
    expect(errors.map((e) => [e.code, e.message])).toEqual([['bad_frame', 'frame nests too deep']]);
  });

  it('an exception in an app handler does not stop the SDK', () => {
    const { beacon, sockets } = setup();
    const seen: unknown[] = [];
    beacon.on('message', () => {
      throw new Error('app bug');
    });
    beacon.on('message', (m) => seen.push(m.data));
    sockets[0]?.accept();
    sockets[0]?.frame({ type: 'message', kind: 'user', data: 1, id: 'm', ts: 1 });
    sockets[0]?.frame({ type: 'message', kind: 'user', data: 2, id: 'm', ts: 1 });
    expect(seen).toEqual([1, 2]);
    expect(() => vi.runOnlyPendingTimers()).toThrow('app bug');
  });
});
