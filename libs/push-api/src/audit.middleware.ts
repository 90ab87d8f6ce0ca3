import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AUDIT_SINK, type ApiRequestState, type AuditSink } from './ports.js';
import { actionFor } from './routes.js';

/**
 * Writes one audit record per push-API call when its response is finished, successful or not. The
 * sink only queues (batched writes happen elsewhere), so this costs the request nothing.
 */
@Injectable()
export class AuditMiddleware implements NestMiddleware {
  constructor(@Inject(AUDIT_SINK) private readonly audit: AuditSink) {}

  use(req: Request & ApiRequestState, res: Response, next: NextFunction): void {
    res.once('finish', () => {
      const app = req.beaconApp;
      const route = (req.route as { path?: string } | undefined)?.path;
      this.audit.record({
        actor: app === undefined ? 'unauthenticated' : `app:${app.key}`,
        appId: app?.id ?? null,
        action: actionFor(req.method, route) ?? `${req.method} ${req.path.slice(0, 200)}`,
        target: req.auditTarget ?? null,
        result:
          req.problemCode === undefined ? String(res.statusCode) : `${res.statusCode} ${req.problemCode}`,
        remoteAddr: req.socket.remoteAddress ?? null,
      });
    });
    next();
  }
}
