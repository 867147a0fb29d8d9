import { formatMessage, Translate } from './text';

export type ApiErrorKind =
  | 'unauthorized'
  /** The key holds a character no HTTP header can carry: nothing was sent, and nothing will be. */
  | 'invalidKey'
  | 'forbidden'
  | 'invalidRequest'
  | 'notFound'
  | 'endpointNotFound'
  | 'rateLimited'
  | 'server'
  | 'httpError'
  | 'notJson'
  | 'unexpectedResponse'
  | 'rejected'
  | 'timeout'
  | 'network'
  | 'cancelled'
  | 'insecureEndpoint';

export interface FieldError {
  readonly name: string;
  readonly reason: string;
}

export interface ApiErrorDetails {
  readonly status?: number;
  /** Pictory's own code, e.g. `INVALID_REQUEST_BODY` or `TEXT_TO_VIDEO_FAILED`. */
  readonly code?: string;
  /** Pictory's own message, shown to the user as plain text. */
  readonly apiMessage?: string;
  readonly fields?: readonly FieldError[];
  readonly retryAfterMs?: number;
  /** The URL that was tried, without its query: for an endpoint that does not exist. */
  readonly url?: string;
  /** What went wrong below HTTP (a reset, a refused connection, a failed DNS lookup). */
  readonly cause?: string;
  /**
   * True when a POST may have reached Pictory but its answer was lost or says nothing for
   * sure (a timeout or dropped connection after connecting, a gateway's 5xx): the job may
   * exist, and may be charged, so it must not be sent again automatically. False or absent
   * when nothing was sent (no connection, a failed TLS handshake, a refused header) or
   * Pictory answered that it did not take the job.
   */
  readonly maybeCreated?: boolean;
}

/** The one error type the API layer throws. */
export class PictoryApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly details: ApiErrorDetails = {},
  ) {
    super('');
    this.name = 'PictoryApiError';
    this.message = describeError(this, formatMessage);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  /** Whether asking again later may succeed. */
  get transient(): boolean {
    return ['rateLimited', 'server', 'notJson', 'timeout', 'network', 'unexpectedResponse'].includes(this.kind);
  }
}

function withStatus(text: string, status: number | undefined, t: Translate): string {
  return status === undefined ? text : t('{0} (HTTP {1})', text, status);
}

function apiSays(details: ApiErrorDetails, t: Translate): string {
  const parts = [details.code, details.apiMessage].filter((part): part is string => !!part);
  return parts.length ? t(' Pictory says: {0}', parts.join(': ')) : '';
}

function mayExist(details: ApiErrorDetails, t: Translate): string {
  return details.maybeCreated
    ? t(' The job may have been created anyway: check your videos and images at https://app.pictory.ai before trying again.')
    : '';
}

/** A sentence a person can act on, for every kind of failure. */
export function describeError(error: PictoryApiError, t: Translate): string {
  const { details } = error;
  switch (error.kind) {
    case 'unauthorized':
      return t('Pictory rejected the API key (HTTP 401). Enter a valid key with "Pictory: Set API Key".');
    case 'invalidKey':
      return t('The API key contains characters that cannot be sent in a request. Enter a valid key with "Pictory: Set API Key".');
    case 'forbidden':
      return t(
        'Pictory refused the request (HTTP 403). A proxy or firewall between VS Code and Pictory may be blocking it.',
      ) + apiSays(details, t);
    case 'invalidRequest': {
      const fields = (details.fields ?? []).map((field) => t('{0}: {1}', field.name, field.reason)).join('; ');
      // No status: the request was refused here, before anything was sent.
      if (details.status === undefined) return t('The request was not sent, because Pictory would refuse it: {0}', fields);
      return fields
        ? t('Pictory did not accept the request (HTTP 400): {0}', fields)
        : t('Pictory did not accept the request (HTTP 400).') + apiSays(details, t);
    }
    case 'notFound':
      return t('Pictory does not know this job (it may have expired).') + apiSays(details, t);
    case 'endpointNotFound':
      return (details.url
        ? t('Pictory\'s API has no such endpoint: {0} answered 404. Check the "pictory.apiBaseUrl" setting.', details.url)
        : t('Pictory\'s API has no such endpoint (HTTP 404). Check the "pictory.apiBaseUrl" setting.')) + apiSays(details, t);
    case 'rateLimited':
      return t('Pictory is rate limiting requests (HTTP 429); try again in a moment.');
    case 'server':
      return details.maybeCreated
        ? withStatus(t('Pictory, or a gateway in front of it, failed without saying whether it took the job'), details.status, t) + '.' + mayExist(details, t)
        : withStatus(t('Pictory had a server error; try again after a brief delay'), details.status, t) + '.' + apiSays(details, t);
    case 'httpError':
      return withStatus(t('Pictory answered with an error'), details.status, t) + (details.cause ? `: ${details.cause}` : '') + '.' + apiSays(details, t);
    case 'notJson':
      return withStatus(
        t('Pictory answered with a page that is not JSON, as a proxy or gateway does'),
        details.status,
        t,
      ) + '.' + mayExist(details, t);
    case 'unexpectedResponse':
      return t('Pictory answered in an unexpected form: {0}.', details.cause ?? '') + mayExist(details, t);
    case 'rejected':
      return t('Pictory reported a failure.') + apiSays(details, t);
    case 'timeout':
      return details.maybeCreated
        ? t('Pictory did not answer in time. The job may have been created anyway: check your videos and images at https://app.pictory.ai before trying again.')
        : details.cause
          ? t('Could not reach Pictory in time ({0}). Check the network and the "pictory.apiBaseUrl" setting.', details.cause)
          : t('Pictory did not answer in time.');
    case 'network':
      return details.maybeCreated
        ? t('The connection to Pictory was lost ({0}). The job may have been created anyway: check your videos and images at https://app.pictory.ai before trying again.', details.cause ?? '')
        : t('Could not reach Pictory ({0}). Check the network and the "pictory.apiBaseUrl" setting.', details.cause ?? '');
    case 'cancelled':
      return t('Cancelled.');
    case 'insecureEndpoint':
      return t('The API key is only sent over HTTPS (or plain HTTP to this computer). Check the "pictory.apiBaseUrl" setting: {0}', details.cause ?? '');
  }
}
