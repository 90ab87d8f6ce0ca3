import { Controller, Get, Inject, Optional, Req, Res } from '@nestjs/common';
import { MetricsRegistry } from '@beacon/metrics';
import { METRICS_ACCESS, metricsDecision, type MetricsAccess } from './metrics-access.js';
import { READINESS, type Readiness } from './readiness.js';

/** The parts of a request and a reply this controller uses (Fastify's, structurally). */
interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string | undefined };
}
interface HttpReply {
  status(code: number): HttpReply;
  header(name: string, value: string): HttpReply;
  send(body: string): unknown;
}

/** Refusals of /metrics (problem+json `code`), docs/errors.md#health-and-metrics. */
export const METRICS_REFUSALS = {
  unauthorized: {
    status: 401,
    title: 'Unauthorized',
    detail: 'send "Authorization: Bearer <BEACON_METRICS_TOKEN>"',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    detail: 'only loopback peers may read /metrics unless BEACON_METRICS_TOKEN is set',
  },
} as const;

/**
 * Liveness and readiness (open: load balancers probe them), and Prometheus metrics, which only loopback
 * peers may read unless BEACON_METRICS_TOKEN is set, in which case every scrape needs it (docs/api.md).
 */
@Controller()
export class HealthController {
  private readonly access: MetricsAccess;

  constructor(
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
    @Inject(READINESS) private readonly readiness: Readiness,
    @Optional() @Inject(METRICS_ACCESS) access?: MetricsAccess,
  ) {
    this.access = access ?? { token: undefined };
  }

  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(
    @Res({ passthrough: true }) res: HttpReply,
  ): Promise<{ status: string; checks: Record<string, string> }> {
    const checks = await this.readiness.check();
    const ready = Object.values(checks).every((v) => !v.startsWith('error'));
    if (!ready) res.status(503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  @Get('metrics')
  async metricsText(@Req() req: HttpRequest, @Res() res: HttpReply): Promise<void> {
    const auth = req.headers.authorization;
    const decision = metricsDecision(
      this.access,
      typeof auth === 'string' ? auth : undefined,
      req.socket.remoteAddress,
    );
    if (decision !== 'ok') {
      const r = METRICS_REFUSALS[decision];
      const problem = {
        type: `https://beacon.dev/errors/${decision}`,
        title: r.title,
        status: r.status,
        code: decision,
        detail: r.detail,
      };
      res.status(r.status).header('content-type', 'application/problem+json').send(JSON.stringify(problem));
      return;
    }
    const text = await this.metrics.renderPrometheus();
    res.status(200).header('content-type', this.metrics.contentType).send(text);
  }
}
