import type { push } from '@beacon/contracts';
import { ROUTER, type Router } from '@beacon/routing';
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { PUSH_API_OPTIONS, type PushApiOptions } from '../ports.js';
import { publishOptions, topicsTarget } from '../checks.js';
import { PushApiException, routed } from '../push-api.exception.js';
import { topicHistory, topicPresence, topicPresenceStats } from '../topic-state.js';
import type { PushAction } from '../routes.js';
import { GrpcCalls, type GrpcCallInfo } from './grpc-calls.js';
import * as V from './push-grpc.validation.js';

/** Each RPC's audit action: the action of the REST route doing the same (routes.ts; a spec checks they agree). */
export const GRPC_ACTIONS = {
  Publish: 'publish',
  Broadcast: 'broadcast',
  SendToUser: 'user.send',
  SendToClient: 'client.send',
  DisconnectUser: 'user.disconnect',
  DisconnectClient: 'client.disconnect',
  Presence: 'user.presence',
  TopicSubscribers: 'topics.subscribers',
  ListTopics: 'topics.list',
  TopicPresence: 'topic.presence',
  TopicPresenceStats: 'topic.presence_stats',
  History: 'topic.history',
} as const satisfies Record<string, PushAction>;

/**
 * beacon.push.v1.PushService (proto/beacon/push/v1/push.proto): the REST v1 operations over gRPC, with the
 * same validation, audit action names (routes.ts) and error codes, mapped to gRPC status by GRPC_STATUS.
 */
@Controller()
export class PushGrpcController {
  constructor(
    @Inject(ROUTER) private readonly router: Router,
    @Inject(PUSH_API_OPTIONS) private readonly options: PushApiOptions,
    @Inject(GrpcCalls) private readonly calls: GrpcCalls,
  ) {}

  @GrpcMethod('PushService', 'Publish')
  publish(req: push.PublishRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.PublishReply> {
    return this.calls.run(GRPC_ACTIONS.Publish, call, async (app, audit) => {
      audit.target = topicsTarget(req.topics);
      const topics = V.checkTopics(req.topics, this.options.maxTopicLength);
      const data = V.checkDataJson(req.dataJson, this.options.maxMessageBytes);
      const receipt = await routed(this.router.publish(app.id, topics, data, publishOptions(app, topics)));
      return { id: receipt.id, ts: receipt.ts, positions: receipt.positions ?? {} };
    });
  }

  @GrpcMethod('PushService', 'Broadcast')
  broadcast(req: push.DirectRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DirectReply> {
    return this.calls.run(GRPC_ACTIONS.Broadcast, call, async (app, audit) => {
      audit.target = '*';
      const topic = V.checkLabel(req.topic, this.options.maxTopicLength);
      const data = V.checkDataJson(req.dataJson, this.options.maxMessageBytes);
      return routed(this.router.broadcast(app.id, data, topic));
    });
  }

  @GrpcMethod('PushService', 'SendToUser')
  sendToUser(req: push.UserDirectRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DirectReply> {
    return this.calls.run(GRPC_ACTIONS.SendToUser, call, async (app, audit) => {
      audit.target = `user:${req.userId}`;
      const userId = V.checkUserId(req.userId);
      const topic = V.checkLabel(req.topic, this.options.maxTopicLength);
      const data = V.checkDataJson(req.dataJson, this.options.maxMessageBytes);
      return routed(this.router.sendToUser(app.id, userId, data, topic));
    });
  }

  @GrpcMethod('PushService', 'SendToClient')
  sendToClient(req: push.ClientDirectRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DirectReply> {
    return this.calls.run(GRPC_ACTIONS.SendToClient, call, async (app, audit) => {
      audit.target = `client:${req.clientId}`;
      const clientId = V.checkClientId(req.clientId);
      const topic = V.checkLabel(req.topic, this.options.maxTopicLength);
      const data = V.checkDataJson(req.dataJson, this.options.maxMessageBytes);
      const receipt = await routed(this.router.sendToClient(app.id, clientId, data, topic));
      if (receipt.delivered === 0)
        throw new PushApiException('client_not_found', `client ${clientId} is not connected`);
      return receipt;
    });
  }

  @GrpcMethod('PushService', 'DisconnectUser')
  disconnectUser(req: push.UserRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DisconnectReply> {
    return this.calls.run(GRPC_ACTIONS.DisconnectUser, call, async (app, audit) => {
      audit.target = `user:${req.userId}`;
      const userId = V.checkUserId(req.userId);
      return { disconnected: await routed(this.router.disconnect(app.id, { userId })) };
    });
  }

  @GrpcMethod('PushService', 'DisconnectClient')
  disconnectClient(req: push.ClientRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DisconnectReply> {
    return this.calls.run(GRPC_ACTIONS.DisconnectClient, call, async (app, audit) => {
      audit.target = `client:${req.clientId}`;
      const clientId = V.checkClientId(req.clientId);
      return { disconnected: await routed(this.router.disconnect(app.id, { clientId })) };
    });
  }

  @GrpcMethod('PushService', 'Presence')
  presence(req: push.UserRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.PresenceReply> {
    return this.calls.run(GRPC_ACTIONS.Presence, call, async (app, audit) => {
      audit.target = `user:${req.userId}`;
      const userId = V.checkUserId(req.userId);
      return { userId, ...(await routed(this.router.presence(app.id, userId))) };
    });
  }

  @GrpcMethod('PushService', 'TopicSubscribers')
  topicSubscribers(
    req: push.TopicSubscribersRequest,
    _m: Metadata,
    call: GrpcCallInfo,
  ): Promise<push.TopicsReply> {
    return this.calls.run(GRPC_ACTIONS.TopicSubscribers, call, async (app, audit) => {
      audit.target = topicsTarget(req.topics);
      const topics = V.checkTopics(req.topics, this.options.maxTopicLength);
      const counts = await routed(Promise.all(topics.map((t) => this.router.topicSubscribers(app.id, t))));
      return { topics: topics.map((topic, i) => ({ topic, subscribers: counts[i] ?? 0 })) };
    });
  }

  @GrpcMethod('PushService', 'ListTopics')
  listTopics(req: push.ListTopicsRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.TopicsReply> {
    return this.calls.run(GRPC_ACTIONS.ListTopics, call, async (app, audit) => {
      if (req.prefix !== '') audit.target = `prefix:${req.prefix}`;
      const query = V.checkListQuery(req.prefix, req.limit);
      return { topics: await routed(this.router.topics(app.id, query)) };
    });
  }

  @GrpcMethod('PushService', 'TopicPresence')
  topicPresence(req: push.TopicRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.TopicPresenceReply> {
    return this.calls.run(GRPC_ACTIONS.TopicPresence, call, async (app, audit) => {
      audit.target = `topic:${req.topic}`;
      const r = await topicPresence(this.router, app, req.topic, this.options.maxTopicLength);
      return {
        topic: r.topic,
        members: r.members.map((m) => ({
          clientId: m.clientId,
          ...(m.userId !== null && { userId: m.userId }),
          infoJson: m.info === null ? '' : JSON.stringify(m.info),
        })),
      };
    });
  }

  @GrpcMethod('PushService', 'TopicPresenceStats')
  topicPresenceStats(
    req: push.TopicRequest,
    _m: Metadata,
    call: GrpcCallInfo,
  ): Promise<push.TopicPresenceStatsReply> {
    return this.calls.run(GRPC_ACTIONS.TopicPresenceStats, call, async (app, audit) => {
      audit.target = `topic:${req.topic}`;
      return topicPresenceStats(this.router, app, req.topic, this.options.maxTopicLength);
    });
  }

  @GrpcMethod('PushService', 'History')
  history(req: push.HistoryRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.HistoryReply> {
    return this.calls.run(GRPC_ACTIONS.History, call, async (app, audit) => {
      audit.target = `topic:${req.topic}`;
      const since =
        req.since === undefined ? undefined : { offset: req.since.offset, epoch: req.since.epoch };
      return topicHistory(this.router, app, req.topic, this.options.maxTopicLength, {
        since,
        limit: req.limit === 0 ? undefined : req.limit,
      });
    });
  }
}
