import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiRequestState } from './ports.js';
import { PushApiException, toProblem, type PushApiErrorCode } from './push-api.exception.js';

const BY_STATUS: Record<number, PushApiErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Maps every error on HTTP routes to an RFC 9457 problem response, once. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('PushApi');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(
      ctx.getRequest<Request & ApiRequestState>(),
      ctx.getResponse<Response>(),
      this.normalise(err),
    );
  }

  private normalise(err: unknown): PushApiException {
    if (err instanceof PushApiException) return err;
    if (err instanceof HttpException) {
      const code = BY_STATUS[err.getStatus()];
      if (code !== undefined) return new PushApiException(code, err.message);
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && BY_STATUS[status] !== undefined) {
      // body-parser errors (malformed JSON, oversize body, wrong charset) carry an HTTP status
      return new PushApiException(BY_STATUS[status], (err as Error).message);
    }
    this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return new PushApiException('internal', 'internal error');
  }
}

export function sendProblem(req: Request & ApiRequestState, res: Response, err: PushApiException): void {
  const problem = toProblem(err);
  req.problemCode = problem.code;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
