import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseLangGraphError } from '@langchain/langgraph';
import { redactCredentials } from '@runhook/webhooks';
import type { Response } from 'express';
import { isDatabaseError } from './database-errors';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string';
}

/**
 * The status and `detail` an error answers with, whatever threw it; what is not the client's doing is logged. Shared by
 * the HTTP filter and the thread protocol's WebSocket, which answers in frames.
 */
export function describeException(exception: unknown, logger: Logger): { status: number; detail: unknown } {
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    if (typeof body === 'string') return { status: exception.getStatus(), detail: body };
    const record = body as Record<string, unknown>;
    const detail = record['detail'] ?? record['message'] ?? exception.message;
    return { status: exception.getStatus(), detail };
  }
  // Malformed JSON and oversized bodies come from the body parser with their own status.
  if (isBodyParserError(exception)) {
    const status = exception.status ?? exception.statusCode ?? HttpStatus.BAD_REQUEST;
    return { status, detail: `Invalid request body: ${exception.message ?? exception.type}` };
  }
  if (isDatabaseError(exception)) {
    logger.error(`database error: ${redactCredentials(exception.message)}`);
    return { status: HttpStatus.SERVICE_UNAVAILABLE, detail: `The database failed this request (${redactCredentials(exception.message)}); try again` };
  }
  // LangGraph refusing what a request asked of a graph (a state update naming no node, an unusable value).
  if (exception instanceof BaseLangGraphError) {
    return { status: HttpStatus.UNPROCESSABLE_ENTITY, detail: `${exception.name}: ${redactCredentials(exception.message)}` };
  }
  logger.error(redactCredentials(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)));
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, detail: 'Internal server error' };
}

/** Every error leaves the server as `{"detail": ...}`, the body LangGraph clients parse. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, detail } = describeException(exception, this.logger);
    if (response.headersSent) {
      response.end();
      return;
    }
    // An auth handler's HTTPException may carry headers (WWW-Authenticate...), which the client must get.
    const headers = (exception as { headers?: unknown }).headers;
    if (exception instanceof HttpException && headers && typeof headers === 'object') response.set(headers as Record<string, string>);
    response.status(status).json({ detail });
  }
}
