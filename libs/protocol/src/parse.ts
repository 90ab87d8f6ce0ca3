import { ErrorCode } from './codes.js';
import {
  CLIENT_TYPE_ALIASES,
  FIRETOWER_TYPES,
  type ClientFrame,
  type ClientFrameType,
  type RequestId,
  type PresenceRequestFrame,
  type PresenceStatsRequestFrame,
  type RefreshFrame,
  type StreamPosition,
  type SubscribeFrame,
  type UnsubscribeFrame,
} from './frames.js';
import { clip } from './text.js';
import { splitTopics } from './topic.js';

export interface FrameError {
  code: ErrorCode;
  message: string;
  id?: RequestId;
}

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: FrameError };

const fail = (code: ErrorCode, message: string, id?: RequestId): ParseResult => ({
  ok: false,
  error: id === undefined ? { code, message } : { code, message, id },
});

/**
 * Parses one client text frame. Checks shape only: topic names, permissions and limits are the
 * gateway's job. Never throws.
 */
export function parseClientFrame(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail(ErrorCode.BadFrame, 'frame is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(ErrorCode.BadFrame, 'frame must be a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  const rawId = obj.id;
  let id: RequestId | undefined;
  if (rawId !== undefined && rawId !== null) {
    if (
      (typeof rawId === 'string' && rawId.length <= 64) ||
      (typeof rawId === 'number' && Number.isFinite(rawId))
    ) {
      id = rawId;
    } else {
      return fail(ErrorCode.BadFrame, '"id" must be a number or a string of at most 64 characters');
    }
  }
  const type = resolveType(obj.type);
  if (type === undefined) {
    return fail(ErrorCode.UnknownType, `unknown frame type ${describeType(obj.type)}`, id);
  }
  if (type === 'ping') return { ok: true, frame: id === undefined ? { type } : { type, id } };
  if (type === 'refresh') {
    if (typeof obj.token !== 'string' || obj.token.length === 0 || obj.token.length > 8192)
      return fail(ErrorCode.BadFrame, '"refresh" needs "token": a JWT of at most 8192 characters', id);
    return { ok: true, frame: withId<RefreshFrame>({ type, token: obj.token }, id) };
  }
  if (type === 'presence' || type === 'presence_stats') {
    if (typeof obj.topic !== 'string' || obj.topic.length === 0)
      return fail(ErrorCode.MissingTopic, `"${type}" needs "topic": one topic`, id);
    return {
      ok: true,
      frame: withId<PresenceRequestFrame | PresenceStatsRequestFrame>({ type, topic: obj.topic }, id),
    };
  }

  const topics = readTopics(obj.topic, obj.topics);
  if (typeof topics === 'string') return fail(ErrorCode.BadFrame, topics, id);
  if (topics.length === 0) return fail(ErrorCode.MissingTopic, `"${type}" needs "topic" or "topics"`, id);

  if (type === 'publish') {
    if (!('data' in obj)) return fail(ErrorCode.BadFrame, '"publish" needs "data"', id);
    const frame: ClientFrame = { type, topics, data: obj.data };
    if (id !== undefined) frame.id = id;
    return { ok: true, frame };
  }
  if (type === 'unsubscribe') return { ok: true, frame: withId<UnsubscribeFrame>({ type, topics }, id) };
  const frame = withId<SubscribeFrame>({ type, topics }, id);
  if (obj.joinLeave !== undefined && obj.joinLeave !== null) {
    if (typeof obj.joinLeave !== 'boolean')
      return fail(ErrorCode.BadFrame, '"joinLeave" must be a boolean', id);
    if (obj.joinLeave) frame.joinLeave = true;
  }
  if (obj.since !== undefined && obj.since !== null) {
    const since = readSince(obj.since, topics);
    if (typeof since === 'string') return fail(ErrorCode.BadFrame, since, id);
    frame.since = since;
  }
  return { ok: true, frame };
}

function withId<T extends { id?: RequestId }>(frame: T, id: RequestId | undefined): T {
  if (id !== undefined) frame.id = id;
  return frame;
}

function readPosition(v: unknown): StreamPosition | null {
  if (typeof v !== 'object' || v === null) return null;
  const { offset, epoch } = v as Record<string, unknown>;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return null;
  if (typeof epoch !== 'string' || epoch.length > 64) return null;
  return { offset, epoch };
}

/**
 * `since` is `{offset, epoch}` for a subscribe to one topic, or `{"<topic>": {offset, epoch}, ...}` keyed by
 * the subscribed topics; parsed, it is always keyed by topic.
 */
function readSince(v: unknown, topics: readonly string[]): Record<string, StreamPosition> | string {
  const bad =
    '"since" must be {"offset","epoch"} (one topic) or keyed by topic: {"<topic>": {"offset","epoch"}}';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad;
  const direct = readPosition(v);
  if (direct !== null) return topics.length === 1 ? { [topics[0]!]: direct } : bad;
  const out: Record<string, StreamPosition> = {};
  for (const [topic, pos] of Object.entries(v as Record<string, unknown>)) {
    const p = readPosition(pos);
    if (p === null || !topics.includes(topic)) return bad;
    out[topic] = p;
  }
  return out;
}

/** The offending `type` for an error message, quoting at most MAX_ECHO_CHARS of it. */
function describeType(t: unknown): string {
  if (typeof t === 'string') return JSON.stringify(clip(t));
  if (typeof t === 'number') return String(t);
  return t === null ? 'null' : typeof t;
}

function resolveType(t: unknown): ClientFrameType | undefined {
  if (typeof t === 'string')
    return Object.hasOwn(CLIENT_TYPE_ALIASES, t) ? CLIENT_TYPE_ALIASES[t] : undefined;
  if (typeof t === 'number') return FIRETOWER_TYPES[t];
  return undefined;
}

/** Returns the de-duplicated topic list, or a message saying what is wrong with the fields. */
function readTopics(topic: unknown, topics: unknown): string[] | string {
  const out: string[] = [];
  if (topic !== undefined && topic !== null) {
    if (typeof topic !== 'string') return '"topic" must be a string';
    out.push(...splitTopics(topic));
  }
  if (topics !== undefined && topics !== null) {
    if (!Array.isArray(topics)) return '"topics" must be an array of strings';
    for (const t of topics) {
      if (typeof t !== 'string') return '"topics" must be an array of strings';
      out.push(t);
    }
  }
  return out.length > 1 ? [...new Set(out)] : out;
}
