// The SDK's errors: one class per error code of the management API, and transport errors.

/** The root of every error the SDK throws. */
export class SdkError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/** No answer from the server: connection refused or reset, DNS failure, CORS refusal. */
export class TransportError extends SdkError {}

/** The server did not answer within the client's `timeout` (milliseconds). */
export class Timeout extends TransportError {}

/** An error answer of the management API (the error envelope). */
export class ApiError extends SdkError {
  constructor({ status, code, message, details = [], requestId = null, retryAfter = null }) {
    let text = `${status} ${code}: ${message}`;
    if (details.length) text += ` (${details.join('; ')})`;
    if (requestId) text += ` [request ${requestId}]`;
    super(text);
    this.status = status;
    this.code = code;
    this.apiMessage = message;
    this.details = details;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

export class ValidationError extends ApiError {}
export class Unauthorized extends ApiError {}
export class Forbidden extends ApiError {}
export class NotFound extends ApiError {}
export class MethodNotAllowed extends ApiError {}
export class Conflict extends ApiError {}
export class PayloadTooLarge extends ApiError {}
export class UnsupportedMediaType extends ApiError {}
export class HeadersTooLarge extends ApiError {}
export class RateLimited extends ApiError {}
export class InternalError extends ApiError {}

export const BY_CODE = Object.freeze({
  VALIDATION_ERROR: ValidationError,
  UNAUTHORIZED: Unauthorized,
  FORBIDDEN: Forbidden,
  NOT_FOUND: NotFound,
  METHOD_NOT_ALLOWED: MethodNotAllowed,
  CONFLICT: Conflict,
  PAYLOAD_TOO_LARGE: PayloadTooLarge,
  UNSUPPORTED_MEDIA_TYPE: UnsupportedMediaType,
  HEADERS_TOO_LARGE: HeadersTooLarge,
  RATE_LIMITED: RateLimited,
  INTERNAL_ERROR: InternalError,
});

const BY_STATUS = Object.freeze({
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
});

/** The error for an answer with `status` and the parsed `body` (or null). */
export function apiError(status, body, headers) {
  const error = body && typeof body === 'object' ? body.error : null;
  let code = error && typeof error.code === 'string' ? error.code : '';
  const message = error ? String(error.message) : `HTTP ${status}`;
  const details = error && Array.isArray(error.details) ? error.details.map(String) : [];
  const requestId = (body && body.meta && body.meta.request_id) || headers.get('x-request-id');
  const retry = Number.parseFloat(headers.get('retry-after') ?? '');
  let Class = BY_CODE[code];
  if (!Class) {
    code = code || BY_STATUS[status] || (status >= 500 ? 'INTERNAL_ERROR' : `HTTP_${status}`);
    Class = BY_CODE[code] || ApiError;
  }
  return new Class({
    status,
    code,
    message,
    details,
    requestId: requestId || null,
    retryAfter: Number.isFinite(retry) ? retry : null,
  });
}
