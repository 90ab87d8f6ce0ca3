import { z } from 'zod';
import { MAX_USER_ID_LENGTH, userIdProblem } from '@beacon/protocol';

// Topic names are checked by the handlers (isValidTopic with the configured BEACON_MAX_TOPIC_LENGTH), not
// here: the schemas are static, the length is a setting.
const topic = z
  .string()
  .describe('A topic name (docs/protocol.md), at most BEACON_MAX_TOPIC_LENGTH characters');

const label = topic
  .optional()
  .describe('Optional `topic` field of the delivered frame (a label; no subscription needed)');

export const PublishBody = z
  .object({
    topic: z.string().optional().describe('One topic, or several separated by commas (firetower style)'),
    topics: z.array(topic).max(100).optional().describe('Topics to publish to'),
    data: z.json().describe('Any JSON value nested at most 32 levels, delivered as the frame\'s "data"'),
  })
  .strict();

export const DirectBody = z.object({ data: z.json(), topic: label }).strict();

export const UserIdParam = z
  .string()
  .min(1)
  .max(MAX_USER_ID_LENGTH)
  .refine((v) => userIdProblem(v) === null, {
    message: 'must not contain control, line-separator or bidi-override characters',
  });
export const ClientIdParam = z.string().min(1).max(100);

export const TopicsQuery = z
  .object({
    prefix: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

export const Receipt = z.object({
  id: z.string(),
  ts: z.number(),
  /** Per history topic: where the message was put. */
  positions: z.record(z.string(), z.object({ offset: z.number().int(), epoch: z.string() })).optional(),
});
export const DirectReceipt = Receipt.extend({ delivered: z.number().int() });
export const TopicCount = z.object({ topic: z.string(), subscribers: z.number().int() });
export const TopicList = z.object({ topics: z.array(TopicCount) });
export const Presence = z.object({ userId: z.string(), online: z.boolean(), connections: z.number().int() });
export const Disconnected = z.object({ disconnected: z.number().int() });

export const TopicParam = z.string().min(1);

export const HistoryQuery = z
  .object({
    since: z.coerce.number().int().min(0).optional(),
    epoch: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .refine((q) => (q.since === undefined) === (q.epoch === undefined), {
    message: 'give both since and epoch, or neither',
  });

export const StreamPosition = z.object({ offset: z.number().int(), epoch: z.string() });
export const PresenceMember = z.object({
  clientId: z.string(),
  userId: z.string().nullable(),
  info: z.record(z.string(), z.unknown()).nullable(),
});
export const TopicPresence = z.object({ topic: z.string(), members: z.array(PresenceMember) });
export const TopicPresenceStats = z.object({
  topic: z.string(),
  clients: z.number().int(),
  users: z.number().int(),
});
export const TopicHistory = z.object({
  topic: z.string(),
  messages: z.array(
    z.object({ id: z.string(), ts: z.number(), data: z.unknown(), offset: z.number().int() }),
  ),
  position: StreamPosition,
  recovered: z.boolean(),
});
