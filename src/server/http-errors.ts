import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import {
  errIO,
  errMediaType,
  errMethod,
  errNoRoute,
  type ErrorCode,
  errRequest,
  errTooLarge,
  isStoreError,
  type StoreError,
} from '../errors.ts';

/**
 * The HTTP status of each error code, as docs/api.md lists them. A client
 * branches on `code`; the status only tells proxies and curl what kind of
 * failure it was.
 */
export const STATUS_OF: Record<ErrorCode, number> = {
  ENEEDSANDBOXID: 400,
  ENEEDCONTAINERID: 400,
  EINVALIDRESOURCE: 400,
  EINVALIDDATATYPE: 400,
  EMARSHAL: 400,
  EUNSAFEID: 400,
  EPAYLOAD: 400,
  EINVALIDTARGET: 400,
  EREQUEST: 400,
  EUSAGE: 400,
  ENOROOT: 404,
  ENOENT: 404,
  ENOROUTE: 404,
  EMETHOD: 405,
  ENOTDIR: 409,
  EISDIR: 409,
  EUNSAFEPATH: 409,
  ECONFLICT: 409,
  EEXIST: 409,
  ETOOLARGE: 413,
  EMEDIATYPE: 415,
  EDECODE: 422,
  EUNKNOWNDEVICE: 422,
  ELOCKED: 503,
  EDAEMON: 503,
  ENOSPC: 507,
  ESTREAM: 500,
  EREMOTE: 502,
  EUNTRUSTED: 502,
  EIO: 500,
  EPROJECT: 500,
  ECORRUPT: 500,
  ECHAIN: 500,
  ECOMPROMISED: 500,
  ESTALE: 500,
};

export interface ErrorBody {
  code: string;
  message: string;
}

/** One ajv issue as vcstore words it: `missing field sandboxID`, `value.Pid: expected an integer`. */
interface SchemaIssue {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

function describeIssue(issue: SchemaIssue): string {
  const where = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const at = (field: string) => (where ? `${where}.${field}` : field);
  const p = issue.params ?? {};
  switch (issue.keyword) {
    case 'required':
      return `missing field ${at(String(p.missingProperty))}`;
    case 'additionalProperties':
      return `unknown field ${at(String(p.additionalProperty))}`;
    case 'type':
      return `${where || 'the whole value'}: expected ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type)}`;
    case 'enum':
      return `${where}: expected one of ${(p.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${where || 'the whole value'}: ${issue.message ?? 'invalid'}`;
  }
}

const PART: Record<string, string> = {
  body: 'request body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/** Any error thrown by a route or by fastify itself, as a StoreError worded as vcstore words its own. */
export function asApiError(err: unknown, bodyLimit?: number): StoreError {
  if (isStoreError(err)) return err;
  const e = err as FastifyError & { validation?: SchemaIssue[]; validationContext?: string };
  if (Array.isArray(e?.validation)) {
    const part = PART[e.validationContext ?? ''] ?? 'request';
    return errRequest(`invalid ${part}: ${e.validation.map(describeIssue).join('; ')}`, err);
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errTooLarge(
        `request body over the daemon's limit${bodyLimit === undefined ? '' : ` of ${bodyLimit} bytes`} (serve --body-limit)`,
        { cause: err },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errMediaType('request body must be sent as Content-Type: application/json', { cause: err });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errRequest('request body is empty: send a JSON object', err);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errRequest('request body length differs from its Content-Length', err);
    case 'FST_ERR_BAD_URL':
      return errRequest('request path is not valid percent-encoding', err);
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return errRequest(`bad request: ${lowerFirst(e.message)}`, err);
  }
  return errIO(`internal error: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export function sendError(reply: FastifyReply, err: StoreError): FastifyReply {
  const body: ErrorBody = { code: err.code, message: err.message };
  return reply.code(STATUS_OF[err.code]).type('application/json; charset=utf-8').send(body);
}

/** Fastify's error handler: a JSON `{ code, message }` with the documented status; the counter sees every one. */
export function errorHandler(onError: (code: ErrorCode) => void) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = asApiError(err, request.routeOptions.bodyLimit);
    onError(apiError.code);
    if (STATUS_OF[apiError.code] >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, apiError);
  };
}

/** No route for the path (404 ENOROUTE), or none for this method on a path that has routes (405 EMETHOD, with Allow). */
export function notFoundHandler(onError: (code: ErrorCode) => void, allowedOn: (path: string) => string[]) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedOn(path);
    if (allowed.length > 0) {
      onError('EMETHOD');
      reply.header('allow', allowed.join(', '));
      return sendError(reply, errMethod(`${request.method} is not allowed on ${path}: use ${allowed.join(' or ')}`));
    }
    onError('ENOROUTE');
    return sendError(reply, errNoRoute(`no route ${request.method} ${path}`));
  };
}

/** A request whose route takes a JSON body must say so: anything else is 415, before the body is read. */
export function requireJsonBodies(onError: (code: ErrorCode) => void) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.schema?.body === undefined) return;
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type === 'application/json') return;
    onError('EMEDIATYPE');
    return sendError(
      reply,
      errMediaType(
        `request body sent ${type ? `as Content-Type: ${type}` : 'without a Content-Type'}: send Content-Type: application/json`,
      ),
    );
  };
}

/** A request too malformed for HTTP to route (fastify answers these before any handler): the same body, then close. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const error = errRequest(`malformed HTTP request: ${err.message}`, err);
  const body = JSON.stringify({ code: error.code, message: error.message } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
