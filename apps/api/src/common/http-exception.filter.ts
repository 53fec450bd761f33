import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as BodyParserError).type === 'string';
}

/** Every error leaves the server as `{"detail": ...}`, the body LangGraph clients parse. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, detail } = this.describe(exception);
    if (response.headersSent) {
      response.end();
      return;
    }
    // An auth handler's HTTPException may carry headers (WWW-Authenticate...), which the client must get.
    const headers = (exception as { headers?: unknown }).headers;
    if (exception instanceof HttpException && headers && typeof headers === 'object') response.set(headers as Record<string, string>);
    response.status(status).json({ detail });
  }

  private describe(exception: unknown): { status: number; detail: unknown } {
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
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, detail: 'Internal server error' };
  }
}
