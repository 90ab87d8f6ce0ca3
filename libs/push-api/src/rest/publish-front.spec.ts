import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Router } from '@beacon/routing';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditSink, SecretCheck } from '../ports.js';
import { registerRestRoutes } from './rest-routes.js';

/**
 * The publish front handler (publish-front.ts) must answer exactly like the Fastify route it stands in
 * front of. Two servers on real sockets, one with it and one without, get the same requests; status,
 * headers, body and audit entries must be the same, and the front one's Fastify must not see them.
 */

const app = { id: 'a1', key: 'k1', name: 'K', enabled: true };
const checks: Record<string, SecretCheck> = {
  good: { ok: true, app },
  off: { ok: false, reason: 'disabled', app },
  old: { ok: false, reason: 'revoked', app },
};

interface Server {
  fastify: FastifyInstance;
  port: number;
  audit: Array<{ kind: string; entry: AuditEntry }>;
  /** Requests that reached Fastify's own request path. */
  seenByFastify: number;
  /** What the request timing observed: "transport operation outcome". */
  timings: string[];
}

async function server(front: boolean): Promise<Server> {
  const fastify = Fastify();
  const s: Server = { fastify, port: 0, audit: [], seenByFastify: 0, timings: [] };
  fastify.addHook('onRequest', (_req, _reply, done) => {
    s.seenByFastify++;
    done();
  });
  let n = 0;
  const router = {
    publish: async (_app: string, topics: string[]) => {
      if (topics.includes('fail')) throw new Error('topic-service gone');
      return { id: `m${++n}`, ts: 1 };
    },
  } as unknown as Router;
  const audit: AuditSink = {
    record: (entry) => s.audit.push({ kind: 'record', entry }),
    tally: (entry) => s.audit.push({ kind: 'tally', entry }),
    refusal: (entry) => s.audit.push({ kind: 'refusal', entry }),
  };
  await registerRestRoutes(
    fastify,
    {
      router,
      auth: { authenticateSecret: async (secret) => checks[secret] ?? { ok: false, reason: 'unknown' } },
      audit,
      options: { maxMessageBytes: 1024, maxTopicLength: 20 },
      logError: () => undefined,
      timing: {
        observe: (transport, operation, outcome, ms) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          s.timings.push(`${transport} ${operation} ${outcome}`);
        },
      },
    },
    { front },
  );
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  s.port = (fastify.server.address() as AddressInfo).port;
  return s;
}

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function call(
  port: number,
  c: { path?: string; headers: Record<string, string>; body?: string; chunked?: boolean },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.body !== undefined && c.chunked !== true)
      headers['content-length'] = String(Buffer.byteLength(c.body));
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: c.path ?? '/v1/publish', headers, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (body += s));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              'content-type': res.headers['content-type'],
              'content-length': res.headers['content-length'],
              connection: res.headers.connection,
            },
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    if (c.chunked === true && c.body !== undefined) req.write(c.body);
    req.end(c.chunked === true ? undefined : c.body);
  });
}

const json = 'application/json';
const auth = (secret = 'good') => ({ authorization: `Bearer ${secret}`, 'content-type': json });

/** Requests the front handler takes. */
const TAKEN: Array<[string, { headers: Record<string, string>; body: string }]> = [
  ['a publish', { headers: auth(), body: '{"topic":"a,b","data":{"x":[1]}}' }],
  ['topics', { headers: auth(), body: '{"topics":["a"],"data":null}' }],
  [
    'a charset',
    { headers: { ...auth(), 'content-type': `${json}; charset=utf-8` }, body: '{"topic":"a","data":1}' },
  ],
  ['another charset', { headers: { ...auth(), 'content-type': `${json}; charset=utf-16` }, body: '{}' }],
  ['no credentials', { headers: { 'content-type': json }, body: '{"topic":"a","data":1}' }],
  ['a malformed header', { headers: { ...auth(), authorization: 'Basic x' }, body: '{}' }],
  ['an unknown secret', { headers: auth('nope'), body: '{"topic":"a","data":1}' }],
  ['a disabled app', { headers: auth('off'), body: '{"topic":"a","data":1}' }],
  ['a revoked secret', { headers: auth('old'), body: '{"topic":"a","data":1}' }],
  ['invalid JSON', { headers: auth(), body: '{"topic":' }],
  ['an empty body', { headers: auth(), body: '' }],
  ['deep data', { headers: auth(), body: `{"topic":"a","data":${'['.repeat(40)}${']'.repeat(40)}}` }],
  ['no data', { headers: auth(), body: '{"topic":"a"}' }],
  ['an extra field', { headers: auth(), body: '{"topic":"a","data":1,"x":2}' }],
  ['no topic', { headers: auth(), body: '{"data":1}' }],
  ['a bad topic', { headers: auth(), body: '{"topic":"a b","data":1}' }],
  ['a long topic', { headers: auth(), body: `{"topic":"${'t'.repeat(21)}","data":1}` }],
  ['large data', { headers: auth(), body: `{"topic":"a","data":"${'x'.repeat(2000)}"}` }],
  ['a routing failure', { headers: auth(), body: '{"topic":"fail","data":1}' }],
];

/** Requests it leaves to Fastify. */
const LEFT: Array<
  [string, { path?: string; headers: Record<string, string>; body: string; chunked?: boolean }]
> = [
  ['a query string', { path: '/v1/publish?x=1', headers: auth(), body: '{"topic":"a","data":1}' }],
  ['a chunked body', { headers: auth(), body: '{"topic":"a","data":1}', chunked: true }],
  ['another media type', { headers: { ...auth(), 'content-type': 'text/plain' }, body: 'x' }],
  ['a body over the limit', { headers: auth(), body: `{"topic":"a","data":"${'x'.repeat(20_000)}"}` }],
];

const normalise = (a: Answer): Answer => ({ ...a, body: a.body.replace(/"id":"m\d+"/, '"id":"m"') });

let front: Server;
let plain: Server;
beforeAll(async () => {
  front = await server(true);
  plain = await server(false);
});
afterAll(async () => {
  agent.destroy();
  await front?.fastify.close();
  await plain?.fastify.close();
});

describe('the publish front handler', () => {
  it.each([...TAKEN, ...LEFT])(
    'answers %s exactly like the Fastify route, and audits it the same',
    async (_, c) => {
      const seen = front.seenByFastify;
      const [a, b] = [await call(front.port, c), await call(plain.port, c)];
      expect(normalise(a)).toEqual(normalise(b));
      expect(front.audit.at(-1)).toEqual(plain.audit.at(-1));
      expect(front.audit).toHaveLength(plain.audit.length);
      expect(front.timings.at(-1)).toBe(plain.timings.at(-1));
      expect(front.timings).toHaveLength(plain.timings.length);
      const taken = TAKEN.some(([, t]) => t === c);
      expect(front.seenByFastify - seen).toBe(taken ? 0 : 1);
    },
  );

  it('times every call once, by outcome', async () => {
    const named = (name: string) => (TAKEN.find(([n]) => n === name) as (typeof TAKEN)[number])[1];
    const cases = { ok: 'a publish', refused: 'an unknown secret', unavailable: 'a routing failure' };
    for (const [outcome, name] of Object.entries(cases)) {
      const before = front.timings.length;
      await call(front.port, named(name));
      expect(front.timings.slice(before)).toEqual([`rest publish ${outcome}`]);
    }
    const before = plain.timings.length;
    await call(plain.port, (LEFT[2] as (typeof LEFT)[number])[1]);
    expect(plain.timings.slice(before)).toEqual(['rest publish refused']);
  });

  it('reads a body that arrives after its headers', async () => {
    const body = '{"topic":"late","data":1}';
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(front.port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/publish HTTP/1.1\r\nhost: x\r\nauthorization: Bearer good\r\ncontent-type: ${json}\r\n` +
            `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body.slice(0, 5)}`,
        );
        setImmediate(() => socket.end(body.slice(5)));
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (s: string) => (text += s));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\{"id":"m\d+","ts":1\}$/);
    expect(front.audit.at(-1)).toMatchObject({ kind: 'tally', entry: { target: 'late', result: '200' } });
  });
});
