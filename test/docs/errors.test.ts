import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AdminErrors } from '@beacon/admin-api';
import { METRICS_REFUSALS } from '@beacon/ops';
import { CLOSE_CODE_NAMES, CloseCode, ErrorCode } from '@beacon/protocol';
import { GRPC_STATUS, PushApiErrors } from '@beacon/push-api';
import { TOPIC_SERVICE_ERRORS } from '@beacon/topic-service';

// docs/errors.md against the code, both ways: every code of every surface is listed with its status, and
// every listed code exists.

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The rows of the table under heading `## title`, as arrays of cells without backticks. */
function table(title: string): string[][] {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `section "${title}"`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 4);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\|[-|]+\|$/.test(l))
    .slice(1) // header
    .map((l) =>
      l
        .slice(2, -2)
        .split(' | ')
        .map((c) => c.replaceAll('`', '').trim()),
    );
}

const grpcName = (s: status): string => status[s];

describe('docs/errors.md', () => {
  it('lists every close code with its snake_case name, and no other', () => {
    const rows = table('WebSocket close codes (gateway)');
    expect(rows.map((r) => [Number(r[0]), r[1]])).toEqual(
      Object.values(CloseCode).map((c) => [c, CLOSE_CODE_NAMES[c]]),
    );
  });

  it('lists every error frame code, and no other', () => {
    expect(table('WebSocket error frames').map((r) => r[0])).toEqual(Object.values(ErrorCode));
  });

  it('lists every push API code with its HTTP status and gRPC status, and no other', () => {
    const rows = table('Push API (REST and gRPC)');
    expect(rows.map((r) => r.slice(0, 3))).toEqual(
      Object.entries(PushApiErrors).map(([code, e]) => [
        code,
        String(e.status),
        grpcName(GRPC_STATUS[code as keyof typeof GRPC_STATUS]),
      ]),
    );
  });

  it('lists every admin API code with its HTTP status, and no other', () => {
    expect(table('Admin API').map((r) => r.slice(0, 2))).toEqual(
      Object.entries(AdminErrors).map(([code, e]) => [code, String(e.status)]),
    );
  });

  it('lists every topic-service code with its gRPC status, and no other', () => {
    expect(table('Topic-service (cluster gRPC)').map((r) => r.slice(0, 2))).toEqual(
      Object.entries(TOPIC_SERVICE_ERRORS).map(([code, s]) => [code, grpcName(s)]),
    );
  });

  it('lists the /metrics refusals', () => {
    expect(table('Health and metrics').map((r) => r.slice(0, 2))).toEqual(
      Object.entries(METRICS_REFUSALS).map(([code, r]) => [code, String(r.status)]),
    );
  });

  it('lists every persistence error code, and no other', async () => {
    // PersistenceErrorCode is a type: read the union from its source, the one place it is written.
    const src = readFileSync(
      new URL('../../libs/persistence/src/persistence.exception.ts', import.meta.url),
      'utf8',
    );
    const union = /export type PersistenceErrorCode =([^;]+);/.exec(src)![1]!;
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
    expect(table('Persistence (CLI and start-up)').map((r) => r[0])).toEqual(codes);
  });

  it('uses one naming case for every wire code', () => {
    const wire = [
      ...Object.values(CLOSE_CODE_NAMES),
      ...Object.values(ErrorCode),
      ...Object.keys(PushApiErrors),
      ...Object.keys(AdminErrors),
      ...Object.keys(TOPIC_SERVICE_ERRORS),
      ...Object.keys(METRICS_REFUSALS),
    ];
    for (const code of wire) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
