import type { PresenceMember, PresenceStats, Router, StreamPosition } from '@beacon/routing';
import { appPolicy } from '@beacon/routing';
import { checkTopics } from './checks.js';
import type { ApiApp } from './ports.js';
import { PushApiException, routed } from './push-api.exception.js';

/**
 * Presence and history of one topic, transport-free: REST (rest/handlers.ts) and gRPC
 * (grpc/push.grpc-controller.ts) both call these, so validation and refusals are written once.
 */

export const HISTORY_LIMIT = { default: 100, max: 1000 } as const;

export interface TopicHistory {
  topic: string;
  messages: Array<{ id: string; ts: number; dataJson: string; offset: number }>;
  position: StreamPosition;
  recovered: boolean;
}

function presenceTopic(app: ApiApp, topic: string, maxTopic: number | undefined): string {
  const [t] = checkTopics([topic], maxTopic, 'topic');
  if (!appPolicy(app.settings ?? {}).presence(t!))
    throw new PushApiException('no_presence', `the app has no presence on ${JSON.stringify(t)}`);
  return t!;
}

export async function topicPresence(
  router: Router,
  app: ApiApp,
  topic: string,
  maxTopic: number | undefined,
): Promise<{ topic: string; members: PresenceMember[] }> {
  const t = presenceTopic(app, topic, maxTopic);
  const limit = appPolicy(app.settings ?? {}).presenceMaxMembers;
  return { topic: t, members: await routed(router.presenceMembers(app.id, t, limit)) };
}

export async function topicPresenceStats(
  router: Router,
  app: ApiApp,
  topic: string,
  maxTopic: number | undefined,
): Promise<{ topic: string } & PresenceStats> {
  const t = presenceTopic(app, topic, maxTopic);
  return { topic: t, ...(await routed(router.presenceStats(app.id, t))) };
}

export async function topicHistory(
  router: Router,
  app: ApiApp,
  topic: string,
  maxTopic: number | undefined,
  opts: { since?: StreamPosition; limit?: number },
): Promise<TopicHistory> {
  const [t] = checkTopics([topic], maxTopic, 'topic');
  if (appPolicy(app.settings ?? {}).history(t!) === null)
    throw new PushApiException('no_history', `the app keeps no history on ${JSON.stringify(t)}`);
  const limit = opts.limit ?? HISTORY_LIMIT.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT.max)
    throw new PushApiException('invalid_request', `limit: an integer from 1 to ${HISTORY_LIMIT.max}`);
  const read = await routed(
    router.history(app.id, t!, opts.since === undefined ? { limit } : { since: opts.since, limit }),
  );
  return { topic: t!, messages: read.messages, position: read.position, recovered: read.recovered };
}
