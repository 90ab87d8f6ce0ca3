import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { isValidTopic, splitTopics } from '@beacon/protocol';
import {
  ROUTER,
  type DirectReceipt,
  type PublishReceipt,
  type Router,
  type TopicCount,
} from '@beacon/routing';
import type { Request } from 'express';
import type { z } from 'zod';
import { AppAuthGuard } from './app-auth.guard.js';
import { PUSH_API_OPTIONS, type ApiApp, type ApiRequestState, type PushApiOptions } from './ports.js';
import { PushApiException, routed } from './push-api.exception.js';
import * as S from './schemas.js';

type ApiRequest = Request & ApiRequestState;

/** Push API v1. Routes are listed, with their audit action names, in routes.ts. */
@Controller('v1')
@UseGuards(AppAuthGuard)
export class PushController {
  constructor(
    @Inject(ROUTER) private readonly router: Router,
    @Inject(PUSH_API_OPTIONS) private readonly options: PushApiOptions,
  ) {}

  @Post('publish')
  @HttpCode(200)
  async publish(@Req() req: ApiRequest, @Body() body: unknown): Promise<PublishReceipt> {
    const input = parse(S.PublishBody, body);
    const topics = [...new Set([...splitTopics(input.topic ?? ''), ...(input.topics ?? [])])];
    req.auditTarget = topics.join(',').slice(0, 500);
    if (topics.length === 0) throw new PushApiException('invalid_request', 'give "topic" or "topics"');
    if (topics.length > 100) throw new PushApiException('invalid_request', 'at most 100 topics per publish');
    const bad = topics.find((t) => !isValidTopic(t));
    if (bad !== undefined)
      throw new PushApiException('invalid_topic', `invalid topic name ${JSON.stringify(bad)}`);
    return routed(this.router.publish(app(req).id, topics, this.encode(input.data)));
  }

  @Post('broadcast')
  @HttpCode(200)
  async broadcast(@Req() req: ApiRequest, @Body() body: unknown): Promise<DirectReceipt> {
    const input = parse(S.DirectBody, body);
    req.auditTarget = '*';
    return routed(this.router.broadcast(app(req).id, this.encode(input.data), input.topic));
  }

  @Post('users/:userId/send')
  @HttpCode(200)
  async sendToUser(
    @Req() req: ApiRequest,
    @Param('userId') userId: string,
    @Body() body: unknown,
  ): Promise<DirectReceipt> {
    req.auditTarget = `user:${userId}`;
    parse(S.UserIdParam, userId);
    const input = parse(S.DirectBody, body);
    return routed(this.router.sendToUser(app(req).id, userId, this.encode(input.data), input.topic));
  }

  @Get('users/:userId')
  async presence(
    @Req() req: ApiRequest,
    @Param('userId') userId: string,
  ): Promise<z.infer<typeof S.Presence>> {
    req.auditTarget = `user:${userId}`;
    parse(S.UserIdParam, userId);
    return { userId, ...(await routed(this.router.presence(app(req).id, userId))) };
  }

  @Post('users/:userId/disconnect')
  @HttpCode(200)
  async disconnectUser(
    @Req() req: ApiRequest,
    @Param('userId') userId: string,
  ): Promise<{ disconnected: number }> {
    req.auditTarget = `user:${userId}`;
    parse(S.UserIdParam, userId);
    return { disconnected: await routed(this.router.disconnect(app(req).id, { userId })) };
  }

  @Post('clients/:clientId/send')
  @HttpCode(200)
  async sendToClient(
    @Req() req: ApiRequest,
    @Param('clientId') clientId: string,
    @Body() body: unknown,
  ): Promise<DirectReceipt> {
    req.auditTarget = `client:${clientId}`;
    parse(S.ClientIdParam, clientId);
    const input = parse(S.DirectBody, body);
    const receipt = await routed(
      this.router.sendToClient(app(req).id, clientId, this.encode(input.data), input.topic),
    );
    if (receipt.delivered === 0)
      throw new PushApiException('client_not_found', `client ${clientId} is not connected`);
    return receipt;
  }

  @Post('clients/:clientId/disconnect')
  @HttpCode(200)
  async disconnectClient(
    @Req() req: ApiRequest,
    @Param('clientId') clientId: string,
  ): Promise<{ disconnected: number }> {
    req.auditTarget = `client:${clientId}`;
    parse(S.ClientIdParam, clientId);
    return { disconnected: await routed(this.router.disconnect(app(req).id, { clientId })) };
  }

  @Get('topics')
  async topics(@Req() req: ApiRequest, @Query() query: unknown): Promise<{ topics: TopicCount[] }> {
    const q = parse(S.TopicsQuery, query);
    if (q.prefix !== undefined) req.auditTarget = `prefix:${q.prefix}`;
    return { topics: await routed(this.router.topics(app(req).id, q)) };
  }

  @Get('topics/subscribers')
  async subscribers(
    @Req() req: ApiRequest,
    @Query('topic') topic: unknown,
  ): Promise<{ topics: TopicCount[] }> {
    const raw = typeof topic === 'string' ? [topic] : Array.isArray(topic) ? topic : [];
    const topics = [...new Set(raw.flatMap((t) => (typeof t === 'string' ? splitTopics(t) : [''])))];
    req.auditTarget = topics.join(',').slice(0, 500);
    if (topics.length === 0 || topics.length > 100) {
      throw new PushApiException('invalid_request', 'give 1 to 100 topics as ?topic=a&topic=b or ?topic=a,b');
    }
    const bad = topics.find((t) => !isValidTopic(t));
    if (bad !== undefined)
      throw new PushApiException('invalid_topic', `invalid topic name ${JSON.stringify(bad)}`);
    const id = app(req).id;
    const counts = await routed(Promise.all(topics.map((t) => this.router.topicSubscribers(id, t))));
    return { topics: topics.map((t, i) => ({ topic: t, subscribers: counts[i] ?? 0 })) };
  }

  /** Serialises the payload once; every gateway and recipient reuses this text. */
  private encode(data: unknown): string {
    const json = JSON.stringify(data);
    if (Buffer.byteLength(json) > this.options.maxMessageBytes) {
      throw new PushApiException(
        'payload_too_large',
        `"data" is larger than ${this.options.maxMessageBytes} bytes`,
      );
    }
    return json;
  }
}

function app(req: ApiRequest): ApiApp {
  return req.beaconApp as ApiApp;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new PushApiException(
    'invalid_request',
    r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
    {
      errors: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  );
}
