import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { APP_AUTHENTICATOR, type ApiRequestState, type AppAuthenticator } from './ports.js';
import { PushApiException } from './push-api.exception.js';

/**
 * `Authorization: Bearer <app secret>`. The authenticator compares in constant time; the app is
 * attached to the request for handlers and the audit record.
 */
@Injectable()
export class AppAuthGuard implements CanActivate {
  constructor(@Inject(APP_AUTHENTICATOR) private readonly auth: AppAuthenticator) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & ApiRequestState>();
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([^\s]{1,512})$/.exec(header);
    if (match === null)
      throw new PushApiException('missing_credentials', 'send "Authorization: Bearer <app secret>"');
    const result = await this.auth.authenticateSecret(match[1] as string);
    if (result.ok) {
      req.beaconApp = result.app;
      return true;
    }
    if (result.app !== undefined) req.beaconApp = result.app;
    if (result.reason === 'disabled') throw new PushApiException('app_disabled', 'this app is disabled');
    if (result.reason === 'revoked') throw new PushApiException('key_revoked', 'this secret was rotated out');
    throw new PushApiException('invalid_key', 'no app has this secret');
  }
}
