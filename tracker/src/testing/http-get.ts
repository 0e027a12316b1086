// GET over http:// or https:// with a CA to trust (fetch cannot be given one without undici's
// Agent). Test-only.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpGetOptions {
  readonly headers?: Record<string, string>;
  /** Certificate authority to trust for https:// (e.g. a test's self-signed certificate). */
  readonly ca?: string | Buffer;
  readonly method?: string;
}

export interface HttpGetResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpGetResult> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    // agent: false: a fresh connection per request, so a closed server shows as refused, not as a reused dead socket.
    const init = {
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      agent: false,
      ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const request = (secure ? httpsRequest : httpRequest)(url, init, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}
