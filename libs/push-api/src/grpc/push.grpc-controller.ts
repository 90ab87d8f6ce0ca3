import type { push } from '@beacon/contracts';
import { ROUTER, type Router } from '@beacon/routing';
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { PUSH_API_OPTIONS, type PushApiOptions } from '../ports.js';
import { isRefusal } from '../push-call.js';
import { PushUseCases, type PushWire } from '../push-use-cases.js';
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

/** gRPC's side of the use cases: `data_json` is JSON text, checked and routed as sent; proto field names. */
const GRPC_WIRE: PushWire<string> = {
  encode: V.checkDataJson,
  fields: { publishTopics: 'topics', subscriberTopics: 'topics', userId: 'user_id', clientId: 'client_id' },
  noTopics: { publish: 'topics: give at least one topic', subscribers: 'topics: give at least one topic' },
};

/**
 * beacon.push.v1.PushService (proto/beacon/push/v1/push.proto): the REST v1 operations over gRPC. Each RPC
 * calls the use case REST calls (push-use-cases.ts), so validation, error codes and audit targets are
 * REST's; GrpcCalls maps a refusal to its gRPC status (GRPC_STATUS) and audits the call under the REST
 * action name.
 */
@Controller()
export class PushGrpcController {
  private readonly uc: PushUseCases<string>;

  constructor(
    @Inject(ROUTER) router: Router,
    @Inject(PUSH_API_OPTIONS) options: PushApiOptions,
    @Inject(GrpcCalls) private readonly calls: GrpcCalls,
  ) {
    this.uc = new PushUseCases(router, GRPC_WIRE, options);
  }

  @GrpcMethod('PushService', 'Publish')
  publish(req: push.PublishRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.PublishReply> {
    return this.calls.run(GRPC_ACTIONS.Publish, call, async (app, audit) => {
      const r = await this.uc.publish(app, req.topics, req.dataJson, audit);
      return isRefusal(r) ? r : { id: r.id, ts: r.ts, positions: r.positions ?? {} };
    });
  }

  @GrpcMethod('PushService', 'Broadcast')
  broadcast(req: push.DirectRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DirectReply> {
    return this.calls.run(GRPC_ACTIONS.Broadcast, call, (app, audit) =>
      this.uc.broadcast(app, { data: req.dataJson, topic: req.topic }, audit),
    );
  }

  @GrpcMethod('PushService', 'SendToUser')
  sendToUser(req: push.UserDirectRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DirectReply> {
    return this.calls.run(GRPC_ACTIONS.SendToUser, call, (app, audit) =>
      this.uc.sendToUser(app, req.userId, { data: req.dataJson, topic: req.topic }, audit),
    );
  }

  @GrpcMethod('PushService', 'SendToClient')
  sendToClient(req: push.ClientDirectRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DirectReply> {
    return this.calls.run(GRPC_ACTIONS.SendToClient, call, (app, audit) =>
      this.uc.sendToClient(app, req.clientId, { data: req.dataJson, topic: req.topic }, audit),
    );
  }

  @GrpcMethod('PushService', 'DisconnectUser')
  disconnectUser(req: push.UserRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DisconnectReply> {
    return this.calls.run(GRPC_ACTIONS.DisconnectUser, call, (app, audit) =>
      this.uc.disconnectUser(app, req.userId, audit),
    );
  }

  @GrpcMethod('PushService', 'DisconnectClient')
  disconnectClient(req: push.ClientRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.DisconnectReply> {
    return this.calls.run(GRPC_ACTIONS.DisconnectClient, call, (app, audit) =>
      this.uc.disconnectClient(app, req.clientId, audit),
    );
  }

  @GrpcMethod('PushService', 'Presence')
  presence(req: push.UserRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.PresenceReply> {
    return this.calls.run(GRPC_ACTIONS.Presence, call, (app, audit) =>
      this.uc.userPresence(app, req.userId, audit),
    );
  }

  @GrpcMethod('PushService', 'TopicSubscribers')
  topicSubscribers(
    req: push.TopicSubscribersRequest,
    _m: Metadata,
    call: GrpcCallInfo,
  ): Promise<push.TopicsReply> {
    return this.calls.run(GRPC_ACTIONS.TopicSubscribers, call, (app, audit) =>
      this.uc.topicSubscribers(app, req.topics, audit),
    );
  }

  @GrpcMethod('PushService', 'ListTopics')
  listTopics(req: push.ListTopicsRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.TopicsReply> {
    return this.calls.run(GRPC_ACTIONS.ListTopics, call, (app, audit) =>
      this.uc.listTopics(app, V.listQuery(req.prefix, req.limit), audit),
    );
  }

  @GrpcMethod('PushService', 'TopicPresence')
  topicPresence(req: push.TopicRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.TopicPresenceReply> {
    return this.calls.run(GRPC_ACTIONS.TopicPresence, call, async (app, audit) => {
      const r = await this.uc.topicPresence(app, req.topic, audit);
      if (isRefusal(r)) return r;
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
    return this.calls.run(GRPC_ACTIONS.TopicPresenceStats, call, (app, audit) =>
      this.uc.topicPresenceStats(app, req.topic, audit),
    );
  }

  @GrpcMethod('PushService', 'History')
  history(req: push.HistoryRequest, _m: Metadata, call: GrpcCallInfo): Promise<push.HistoryReply> {
    return this.calls.run(GRPC_ACTIONS.History, call, (app, audit) => {
      const since =
        req.since === undefined ? undefined : { offset: req.since.offset, epoch: req.since.epoch };
      return this.uc.topicHistory(
        app,
        req.topic,
        { since, limit: req.limit === 0 ? undefined : req.limit },
        audit,
      );
    });
  }
}
