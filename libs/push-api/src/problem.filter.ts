import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PushApiException, toProblem, type PushApiErrorCode } from './push-api.exception.js';

const BY_STATUS: Record<number, PushApiErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** What the filter needs of a reply: Fastify's (and Express's) chainable status/header/send. */
interface ProblemReply {
  status(code: number): ProblemReply;
  header(name: string, value: string): ProblemReply;
  send(body: string): unknown;
}

/**
 * Maps errors on the app's Nest HTTP routes (unknown paths, the OpenAPI document, health) to RFC 9457
 * problem responses. The REST push routes answer their own problems (rest/rest-routes.ts).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('PushApi');

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    sendProblem(host.switchToHttp().getResponse<ProblemReply>(), this.normalise(err));
  }

  private normalise(err: unknown): PushApiException {
    if (err instanceof PushApiException) return err;
    if (err instanceof HttpException) {
      const code = BY_STATUS[err.getStatus()];
      if (code !== undefined)
        return new PushApiException(code, code === 'not_found' ? 'no such route' : err.message);
    }
    // A bug, not a client error; the stack names code, not request content.
    this.logger.error(err instanceof Error ? (err.stack ?? err.name) : 'non-Error thrown');
    return new PushApiException('internal', 'internal error');
  }
}

export function sendProblem(reply: ProblemReply, err: PushApiException): void {
  const problem = toProblem(err);
  reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(JSON.stringify(problem));
}
