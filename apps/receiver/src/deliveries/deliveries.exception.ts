export enum DeliveryErrorCode {
  InvalidToken = 'invalid-token',
  InvalidSignature = 'invalid-signature',
  InvalidBody = 'invalid-body',
  InvalidQuery = 'invalid-query',
  NotFound = 'not-found',
  SimulatedFailure = 'simulated-failure',
}

export const DELIVERY_ERROR_STATUS: Record<DeliveryErrorCode, number> = {
  [DeliveryErrorCode.InvalidToken]: 401,
  [DeliveryErrorCode.InvalidSignature]: 401,
  [DeliveryErrorCode.InvalidBody]: 400,
  [DeliveryErrorCode.InvalidQuery]: 400,
  [DeliveryErrorCode.NotFound]: 404,
  [DeliveryErrorCode.SimulatedFailure]: 503,
};

/** A request the deliveries feature refuses; answered as `{"detail": ...}` with the code's status. */
export class DeliveryException extends Error {
  constructor(
    readonly code: DeliveryErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'DeliveryException';
  }
}
