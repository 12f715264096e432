import type { ConnectionFailure, ConnectionTarget } from './connection-problem';
import { isBynderError } from './errors';
import { connectionMessages } from '../messages';

// What a failed request to the portal means for the person who set the app up, as the settings
// form's connection test, ready() and a delivery stopped by refused credentials word it. A Bynder
// error says it for itself (BynderError.describeConnection); anything else is unexpected.

export function describeConnectionFailure(error: unknown, target: ConnectionTarget): ConnectionFailure {
  if (isBynderError(error)) return error.describeConnection(target);
  return {
    problem: 'unexpected',
    field: undefined,
    message: connectionMessages.unexpected(error instanceof Error ? error.name : typeof error),
  };
}
