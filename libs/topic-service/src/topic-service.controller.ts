import { Catch, Controller, Inject, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { cluster } from '@beacon/contracts';
import type { Metadata } from '@grpc/grpc-js';
import { ClusterAuth } from './cluster-auth.js';
import { GrpcGatewayLink, type AttachCall } from './grpc-gateway-link.js';
import { servePublishStream, type PublishStreamCall } from './publish-stream.js';
import { TopicRouter } from './topic-router.js';
import { TopicServiceException } from './topic-service.exception.js';

/** The one place TopicServiceException codes become gRPC statuses for unary replies. */
@Catch(TopicServiceException)
export class TopicServiceExceptionFilter implements RpcExceptionFilter<TopicServiceException> {
  catch(e: TopicServiceException): Observable<never> {
    return throwError(() => ({ code: e.grpcStatus, message: e.message, details: e.message }));
  }
}

/** gRPC adapter of the TopicRouter: no logic here beyond wiring calls to the router. */
@Controller()
@UseFilters(TopicServiceExceptionFilter)
export class TopicServiceController {
  constructor(
    @Inject(TopicRouter) private readonly router: TopicRouter,
    @Inject(ClusterAuth) private readonly auth: ClusterAuth,
  ) {}

  @GrpcStreamCall('TopicService', 'Attach')
  attach(call: AttachCall): void {
    const link = new GrpcGatewayLink(call);
    if (!this.auth.allows(call.metadata)) {
      link.close(new TopicServiceException('unauthenticated', 'missing or wrong cluster token'));
      return;
    }
    const session = this.router.attach(link);
    const gone = (): void => {
      link.markGone();
      session.ended();
    };
    call.on('data', (m: cluster.GatewayMessage) => session.receive(m));
    call.on('end', () => session.ended());
    call.on('error', gone);
    call.on('cancelled', gone);
    call.on('close', () => session.ended());
  }

  @GrpcMethod('TopicService', 'Publish')
  publish(req: cluster.PublishRequest, metadata: Metadata): cluster.PublishReply {
    this.auth.check(metadata);
    return this.router.publish(req);
  }

  @GrpcStreamCall('TopicService', 'PublishStream')
  publishStream(call: PublishStreamCall): void {
    if (!this.auth.allows(call.metadata)) {
      const e = new TopicServiceException('unauthenticated', 'missing or wrong cluster token');
      call.emit('error', { code: e.grpcStatus, details: e.message });
      return;
    }
    servePublishStream(call, this.router);
  }

  @GrpcMethod('TopicService', 'Send')
  send(req: cluster.SendRequest, metadata: Metadata): Promise<cluster.SendReply> {
    this.auth.check(metadata);
    return this.router.send(req);
  }

  @GrpcMethod('TopicService', 'Disconnect')
  disconnect(req: cluster.DisconnectRequest, metadata: Metadata): Promise<cluster.DisconnectReply> {
    this.auth.check(metadata);
    return this.router.disconnect(req);
  }

  @GrpcMethod('TopicService', 'TopicSubscribers')
  topicSubscribers(req: cluster.TopicSubscribersRequest, metadata: Metadata): cluster.TopicSubscribersReply {
    this.auth.check(metadata);
    return this.router.topicSubscribers(req);
  }

  @GrpcMethod('TopicService', 'ListTopics')
  listTopics(req: cluster.ListTopicsRequest, metadata: Metadata): cluster.ListTopicsReply {
    this.auth.check(metadata);
    return this.router.listTopics(req);
  }

  @GrpcMethod('TopicService', 'Presence')
  presence(req: cluster.PresenceRequest, metadata: Metadata): cluster.PresenceReply {
    this.auth.check(metadata);
    return this.router.presence(req);
  }

  @GrpcMethod('TopicService', 'TopicPresence')
  topicPresence(req: cluster.TopicPresenceRequest, metadata: Metadata): cluster.TopicPresenceReply {
    this.auth.check(metadata);
    return this.router.topicPresence(req);
  }

  @GrpcMethod('TopicService', 'TopicPresenceStats')
  topicPresenceStats(req: cluster.TopicPresenceRequest, metadata: Metadata): cluster.TopicPresenceStatsReply {
    this.auth.check(metadata);
    return this.router.topicPresenceStats(req);
  }

  @GrpcMethod('TopicService', 'History')
  history(req: cluster.HistoryRequest, metadata: Metadata): cluster.HistoryReply {
    this.auth.check(metadata);
    return this.router.readHistory(req);
  }

  @GrpcMethod('TopicService', 'ClusterStats')
  clusterStats(_req: cluster.ClusterStatsRequest, metadata: Metadata): cluster.ClusterStatsReply {
    this.auth.check(metadata);
    return this.router.clusterStats();
  }
}
