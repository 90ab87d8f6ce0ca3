import { Beacon, type Message, type Subscription } from '@beacon/client';
import type { PresenceMember } from '@beacon/protocol';

/** What a chat message carries (the `data` of a publish on `chat/<room>`). */
export interface ChatData {
  text: string;
  name: string;
  colour: string;
}

export interface ChatMessage {
  /** The stream offset on a history topic; the message id otherwise. */
  key: string;
  offset: number | null;
  ts: number;
  data: ChatData;
}

export interface Identity {
  name: string;
  colour: string;
}

export interface Session {
  beacon: Beacon;
  userId: string;
  rooms: string[];
  clientPublish: boolean;
}

export class DemoError extends Error {}

interface TokenAnswer {
  token: string;
  app: string;
  userId: string;
  rooms: string[];
  clientPublish: boolean;
}

async function fetchToken(identity: Identity): Promise<TokenAnswer> {
  const res = await fetch('/demo/chat/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(identity),
  });
  const body = (await res.json().catch(() => null)) as
    (TokenAnswer & { error?: undefined }) | { error: { message: string } } | null;
  if (body === null) throw new DemoError(`the token endpoint answered ${res.status}`);
  if (body.error !== undefined) throw new DemoError(body.error.message);
  return body;
}

/** Signs in: a first token from the demo's endpoint, then a client that asks it again when needed. */
export async function signIn(identity: Identity): Promise<Session> {
  const first = await fetchToken(identity);
  let pending: string | null = first.token;
  const beacon = new Beacon({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    app: first.app,
    reconnect: { minDelayMs: 250, maxDelayMs: 5000 },
    getToken: async () => {
      if (pending !== null) {
        const t = pending;
        pending = null;
        return t;
      }
      return (await fetchToken(identity)).token;
    },
  });
  return { beacon, userId: first.userId, rooms: first.rooms, clientPublish: first.clientPublish };
}

interface HistoryAnswer {
  history: boolean;
  messages: Array<{ offset: number; id: string; ts: number; data: unknown }>;
}

function isChatData(v: unknown): v is ChatData {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return typeof d['text'] === 'string' && typeof d['name'] === 'string' && typeof d['colour'] === 'string';
}

/** A room's last messages, from the demo's history endpoint. */
export async function loadHistory(room: string): Promise<ChatMessage[]> {
  const res = await fetch(`/demo/chat/history?room=${encodeURIComponent(room)}`);
  if (!res.ok) throw new DemoError(`history answered ${res.status}`);
  const body = (await res.json()) as HistoryAnswer;
  return body.messages.flatMap((m) =>
    isChatData(m.data) ? [{ key: `o${m.offset}`, offset: m.offset, ts: m.ts, data: m.data }] : [],
  );
}

export function fromDelivery(m: Message): ChatMessage | null {
  if (!isChatData(m.data)) return null;
  const offset = m.offset ?? null;
  return { key: offset === null ? `i${m.id}` : `o${offset}`, offset, ts: m.ts, data: m.data };
}

/** Merges messages by key, in stream order (offset; arrival order for topics without history). */
export function merge(current: ChatMessage[], more: ChatMessage[]): ChatMessage[] {
  const seen = new Set(current.map((m) => m.key));
  const added = more.filter((m) => !seen.has(m.key) && (seen.add(m.key), true));
  if (added.length === 0) return current;
  const all = [...current, ...added];
  if (all.every((m) => m.offset !== null)) all.sort((a, b) => a.offset! - b.offset!);
  return all;
}

export interface Member {
  userId: string;
  name: string;
  colour: string;
  /** Connections (tabs) of this user in the room. */
  clients: Set<string>;
}

function infoOf(m: PresenceMember): Identity {
  const info = m.info ?? {};
  return {
    name: typeof info['name'] === 'string' ? info['name'] : (m.userId ?? 'anonymous'),
    colour: typeof info['colour'] === 'string' ? info['colour'] : '#888888',
  };
}

/** The member list: one entry per user, whatever number of tabs. */
export function membersFrom(list: PresenceMember[]): Map<string, Member> {
  const out = new Map<string, Member>();
  for (const m of list) addMember(out, m);
  return out;
}

export function addMember(map: Map<string, Member>, m: PresenceMember): Map<string, Member> {
  const userId = m.userId ?? m.clientId;
  const existing = map.get(userId);
  if (existing !== undefined) existing.clients.add(m.clientId);
  else map.set(userId, { userId, ...infoOf(m), clients: new Set([m.clientId]) });
  return map;
}

export function removeMember(map: Map<string, Member>, m: PresenceMember): Map<string, Member> {
  const userId = m.userId ?? m.clientId;
  const existing = map.get(userId);
  if (existing === undefined) return map;
  existing.clients.delete(m.clientId);
  if (existing.clients.size === 0) map.delete(userId);
  return map;
}

export type { Subscription };
