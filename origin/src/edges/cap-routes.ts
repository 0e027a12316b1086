import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { OriginServices } from '../core/services.ts';
import { lookupSession } from '../core/sessions.ts';
import { CAP_BODY_MAX_BYTES, parseCap } from '../domains/alerts/cap.ts';
import { issueAlert } from '../domains/alerts/issue-alert.ts';
import { sendProblem } from './problem.ts';

const CAP_CONTENT_TYPES = ['application/xml', 'text/xml', 'application/cap+xml'];

/**
 * `POST /api/alerts/cap`: a Common Alerting Protocol 1.2 document from an automated source (a public
 * warning system's feed), authenticated with an admin's `Authorization: Bearer <token>` (never a
 * cookie: a form on another site cannot post an alert). 201 with the alert; 400 with the reason when
 * the document is not CAP 1.2; 422 when it is CAP but nothing to show (a Test, a Cancel); 413 past
 * CAP_BODY_MAX_BYTES.
 */
export function capRoutes(app: FastifyInstance, services: OriginServices): void {
  app.addContentTypeParser(CAP_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: CAP_BODY_MAX_BYTES }, (_request, body, done) => done(null, body));
  app.post('/api/alerts/cap', { bodyLimit: CAP_BODY_MAX_BYTES }, async (request, reply) => {
    const header = request.headers.authorization;
    const token = header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
    if (!token) return sendProblem(reply, 401, 'Send an admin session token as Authorization: Bearer <token> (POST /api/auth/login answers one).');
    const session = await lookupSession(services.prisma, token, services.now());
    if (session.status !== 'valid') return sendProblem(reply, 401, 'The bearer token is expired or unknown: sign in again and send the new token.');
    if (session.user.role !== 'admin')
      return sendProblem(reply, 403, 'Only admins can issue alerts; ask an operator to run `npm run admin -- grant <username>`.');
    if (!Buffer.isBuffer(request.body)) {
      (request.body as Readable | undefined)?.resume?.();
      return sendProblem(reply, 415, `Send the CAP document with Content-Type: ${CAP_CONTENT_TYPES.join(' or ')}.`);
    }
    const result = parseCap(request.body.toString('utf8'), services.now());
    if (!result.ok) return sendProblem(reply, result.status, result.reason);
    const alert = await issueAlert(services, session.user.id, result.input);
    request.log.info({ alertId: alert.id, capIdentifier: result.identifier, capSender: result.sender }, 'CAP alert issued');
    return reply.code(201).send(alert);
  });
}
