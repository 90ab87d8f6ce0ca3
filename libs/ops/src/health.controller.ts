import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsRegistry } from '@beacon/metrics';
import { READINESS, type Readiness } from './readiness.js';

/** Liveness, readiness and Prometheus metrics; no auth (bind or firewall them as operations require). */
@Controller()
export class HealthController {
  constructor(
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
    @Inject(READINESS) private readonly readiness: Readiness,
  ) {}

  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: string; checks: Record<string, string> }> {
    const checks = await this.readiness.check();
    const ready = Object.values(checks).every((v) => !v.startsWith('error'));
    if (!ready) res.status(503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metricsText(): string {
    return this.metrics.renderPrometheus();
  }
}
