import type { AdapterResponse } from '../adapter.js';
import { discardBody } from '../body-stream.js';
import { type Answer, type Credentials, parseChallenges } from '../credentials.js';
import type { RequestTask } from '../request-task.js';
import { refuseResend } from '../upload.js';
import type { Handler, Hop, Layer, PipelineContext } from './types.js';
import { headerValue, headerValues, trace, withHeader } from './types.js';

/**
 * httplib2's credentials: an authorization already earned for the origin and path goes up front; a
 * 401 challenge (RFC 9110 §11.6.1) is answered with the next credential that fits (Basic, or Digest by
 * RFC 7616), and what worked is remembered. Each round trip goes through interceptors and the adapter.
 * Without credentials this layer only passes the hop on. The schemes are in `../credentials.ts`.
 */
export function credentialsLayer(context: PipelineContext): Layer<AdapterResponse> {
  const { credentials, logger } = context;
  return (next) => (hop, task) =>
    credentials.size === 0 ? next(hop, task) : authorize(credentials, logger, next, hop, task);
}

async function authorize(
  credentials: Credentials,
  logger: PipelineContext['logger'],
  next: Handler<AdapterResponse>,
  hop: Hop,
  task: RequestTask<any>,
): Promise<AdapterResponse> {
  const { url, method } = hop;
  let sent = hop;
  let authorization = credentials.upFront(url, method);
  if (authorization !== undefined) {
    const header = credentials.header(authorization, url, method);
    sent = { ...hop, headers: withHeader(hop.headers, 'authorization', header) };
  }
  let answered: Answer | undefined;
  let tried: Set<string> | undefined;
  for (;;) {
    const result = await next(sent, task);
    if (result.status === 401) {
      tried ??= new Set();
      const challenges = parseChallenges(headerValues(result.headers, 'www-authenticate'));
      const answer = credentials.answer(challenges, url, method, tried);
      if (answer !== undefined) {
        if (authorization !== undefined) credentials.forget(authorization);
        authorization = undefined;
        answered = answer;
        await discardBody(result.body);
        refuseResend(hop.body, hop, `a ${answer.authorization.scheme} challenge (401)`);
        sent = { ...hop, headers: withHeader(hop.headers, 'authorization', answer.header) };
        trace(task, logger, `answering a ${answer.authorization.scheme} challenge`);
        continue;
      }
      if (authorization !== undefined) credentials.forget(authorization);
      return result;
    }
    const earned = answered?.authorization ?? authorization;
    if (earned !== undefined) {
      credentials.remember(earned);
      credentials.nextNonce(earned, headerValue(result.headers, 'authentication-info'));
    }
    return result;
  }
}
