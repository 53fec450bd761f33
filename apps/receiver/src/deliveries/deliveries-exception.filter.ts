import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DELIVERY_ERROR_STATUS, DeliveryException } from './deliveries.exception';

@Catch(DeliveryException)
export class DeliveriesExceptionFilter implements ExceptionFilter<DeliveryException> {
  catch(exception: DeliveryException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(DELIVERY_ERROR_STATUS[exception.code]).json({ detail: exception.detail });
  }
}
