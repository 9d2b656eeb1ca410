import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errIO, errNoRoute, type ErrorCode, errRequest, errTooLarge, StoreError } from '../errors.ts';

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
  ENOTDIR: 409,
  EISDIR: 409,
  EUNSAFEPATH: 409,
  ECONFLICT: 409,
  EEXIST: 409,
  ETOOLARGE: 413,
  EDECODE: 422,
  EUNKNOWNDEVICE: 422,
  ELOCKED: 503,
  EDAEMON: 503,
  ENOSPC: 507,
  ESTREAM: 500,
  EREMOTE: 502,
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

/** Any error thrown by a route or by fastify itself, as a StoreError. */
export function asApiError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as FastifyError & { validation?: unknown };
  if (e?.validation !== undefined) return errRequest(`invalid request: ${e.message}`, err);
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errTooLarge(e.message, { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errRequest(e.message, err);
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return errRequest(e.message, err);
  }
  return errIO(`internal error: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

export function sendError(reply: FastifyReply, err: StoreError): FastifyReply {
  const body: ErrorBody = { code: err.code, message: err.message };
  return reply.code(STATUS_OF[err.code]).type('application/json; charset=utf-8').send(body);
}

/** Fastify's error handler: a JSON `{ code, message }` with the documented status; the counter sees every one. */
export function errorHandler(onError: (code: ErrorCode) => void) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = asApiError(err);
    onError(apiError.code);
    if (STATUS_OF[apiError.code] >= 500) request.log.error({ err }, 'request failed');
    return sendError(reply, apiError);
  };
}

export function notFoundHandler(onError: (code: ErrorCode) => void) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    onError('ENOROUTE');
    return sendError(reply, errNoRoute(`no route ${request.method} ${request.url.split('?')[0]}`));
  };
}
