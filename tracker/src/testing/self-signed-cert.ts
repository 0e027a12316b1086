// A throwaway self-signed certificate for 127.0.0.1 / localhost, made by the openssl command line
// in a temporary folder (Node's crypto cannot issue X.509 certificates). Test-only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCert {
  /** PEM certificate; also the CA a client must trust to accept it. */
  readonly cert: string;
  /** PEM private key (unencrypted). */
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

/** Creates a P-256 certificate valid for one day, for `CN=<commonName>`, IP 127.0.0.1 and DNS localhost. */
export async function createSelfSignedCert(commonName = 'spherecast-tracker-test'): Promise<SelfSignedCert> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tracker-tls-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`openssl could not make a test certificate (apt-get install openssl): ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { cert, key, certPath, keyPath, remove: () => rm(dir, { recursive: true, force: true }) };
}
