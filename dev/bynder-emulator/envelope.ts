import type { Response } from 'express';

/**
 * Bynder's v4 error and status body, as its API reference shows it, e.g. `{"message": "Media not
 * found", "statuscode": 404}` (https://api.bynder.com/reference/post_api-v4-media-id).
 */
export interface BynderEnvelope {
  message: string;
  statuscode: number | string;
}

/**
 * Bynder's v4 error/status body. The published examples send `statuscode` as a number on some
 * endpoints and as a string on others; each caller picks the form the facts show for
 * its endpoint, so clients that parse only one form fail here as they would against Bynder.
 */
export function envelope(status: number, message: string, statusAsString = false): BynderEnvelope {
  return { message, statuscode: statusAsString ? String(status) : status };
}

export function sendEnvelope(res: Response, status: number, message: string, statusAsString = false): void {
  res.status(status).json(envelope(status, message, statusAsString));
}

/** Messages for the statuses the emulator can answer without a route-specific text. */
const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Access denied',
  404: 'Not found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusMessage(status: number): string {
  return STATUS_MESSAGES[status] ?? `HTTP ${status}`;
}
