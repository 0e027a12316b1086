// The certificate the origin (and the tracker beside it) serve HTTPS / wss:// with. WebXR exists only
// in secure contexts, so a headset reaching this machine by its LAN address needs HTTPS: either the
// operator's own pair (TLS_CERT / TLS_KEY), or a self-signed one generated once into DATA_DIR/tls for
// the machine's LAN names and addresses, kept across starts so a headset accepts it only once.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError, type OriginConfig } from '../core/config.ts';

/** How long a generated certificate is valid. */
export const GENERATED_VALIDITY_DAYS = 365;
/** A generated certificate this close to its expiry is replaced at start-up. */
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

/** The names a browser may reach this machine by. */
export interface LanNames {
  /** DNS names: the host name, `<host>.local` (mDNS) and `localhost`. */
  dnsNames: string[];
  /** Loopback and every non-internal IPv4 / IPv6 address of the machine's interfaces. */
  ipAddresses: string[];
}

export interface TlsCertificate {
  /** PEM certificate (chain) and unencrypted PEM private key, as `https.createServer` takes them. */
  cert: string;
  key: string;
  /** SHA-256 fingerprint as browsers show it (`AB:CD:…`), to compare on the headset's warning page. */
  fingerprint256: string;
  validTo: Date;
  /** Names and addresses the certificate covers (`DNS:vm, IP Address:192.168.1.20, …`). */
  subjectAltName: string;
  certFile: string;
  keyFile: string;
  /** `operator`: TLS_CERT / TLS_KEY; `generated`: made at this start; `reused`: generated at an earlier start. */
  source: 'operator' | 'generated' | 'reused';
  /** Why a certificate was generated at this start (`source: 'generated'`). */
  generatedBecause: string | null;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The machine's LAN names and addresses (loopback included, so https://localhost works too). */
export function lanNames(hostname: string = os.hostname(), interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): LanNames {
  const host = hostname.toLowerCase();
  const dnsNames = new Set<string>(['localhost']);
  if (DNS_NAME.test(host)) {
    dnsNames.add(host);
    // mDNS answers for the first label only (a host named vm.example has vm.local).
    dnsNames.add(`${host.split('.')[0]}.local`);
  }
  const ipAddresses = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) if (!info.internal && isIP(info.address) !== 0) ipAddresses.add(info.address.toLowerCase());
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** The path as the operator likely wrote it: relative under the working directory, else absolute. */
function describe(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function parsePair(certPem: string, keyPem: string): { x509: X509Certificate; key: KeyObject } {
  const x509 = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  return { x509, key };
}

function toCertificate(
  cert: string,
  key: string,
  x509: X509Certificate,
  files: { certFile: string; keyFile: string },
  source: TlsCertificate['source'],
  generatedBecause: string | null,
): TlsCertificate {
  return {
    cert,
    key,
    fingerprint256: x509.fingerprint256,
    validTo: new Date(x509.validTo),
    subjectAltName: x509.subjectAltName ?? '',
    ...files,
    source,
    generatedBecause,
  };
}

/**
 * Why the certificate in `dir` cannot serve these names now, or null when it can. A name that is no
 * longer the machine's does not count: each new certificate means accepting a warning again on
 * every headset, so one is made only when the machine is reachable by a name the old one lacks.
 */
function staleReason(x509: X509Certificate, key: KeyObject, names: LanNames, now: Date): string | null {
  if (!x509.checkPrivateKey(key)) return 'the key does not belong to the certificate';
  if (new Date(x509.validFrom).getTime() > now.getTime() + DAY_MS) return `it is valid only from ${x509.validFrom}`;
  const expires = new Date(x509.validTo).getTime();
  if (expires - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return `it expires on ${new Date(expires).toISOString().slice(0, 10)}`;
  const missing = [
    ...names.dnsNames.filter((name) => x509.checkHost(name, { wildcards: false, subject: 'never' }) === undefined),
    ...names.ipAddresses.filter((ip) => x509.checkIP(ip) === undefined),
  ];
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  return null;
}

/**
 * The self-signed certificate in `dir` (cert.pem, key.pem), generated when there is none, when it
 * does not name every current LAN name and address, or when it is within {@link RENEW_BEFORE_DAYS}
 * of expiry. The key is written with mode 0600.
 */
export async function loadOrCreateSelfSigned(dir: string, options: { names?: LanNames; now?: Date } = {}): Promise<TlsCertificate> {
  const names = options.names ?? lanNames();
  const now = options.now ?? new Date();
  const files = { certFile: path.join(dir, 'cert.pem'), keyFile: path.join(dir, 'key.pem') };

  let reason = 'there was none';
  const existing = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]).catch(() => null);
  if (existing !== null) {
    const [cert, key] = existing;
    let parsed: { x509: X509Certificate; key: KeyObject } | null = null;
    try {
      parsed = parsePair(cert, key);
    } catch {
      reason = 'the stored one could not be read';
    }
    if (parsed !== null) {
      const stale = staleReason(parsed.x509, parsed.key, names, now);
      if (stale === null) return toCertificate(cert, key, parsed.x509, files, 'reused', null);
      reason = `the stored one is out of date: ${stale}`;
    }
  }

  const hostname = names.dnsNames.find((name) => name !== 'localhost') ?? 'localhost';
  const generated = await generate([{ name: 'commonName', value: `Spherecast origin on ${hostname}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // A little in the past, so a headset whose clock runs behind still accepts it.
    notBeforeDate: new Date(now.getTime() - DAY_MS),
    notAfterDate: new Date(now.getTime() + GENERATED_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.dnsNames.map((value) => ({ type: 2 as const, value })), ...names.ipAddresses.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Each file is written whole under a temporary name and renamed; a start interrupted between the
  // two renames leaves a pair that does not match, which the next start replaces.
  const stamp = `${process.pid}-${Date.now()}`;
  await writeFile(`${files.keyFile}.${stamp}`, generated.private, { mode: 0o600 });
  await chmod(`${files.keyFile}.${stamp}`, 0o600); // in case the umask widened it
  await rename(`${files.keyFile}.${stamp}`, files.keyFile);
  await writeFile(`${files.certFile}.${stamp}`, generated.cert, { mode: 0o644 });
  await rename(`${files.certFile}.${stamp}`, files.certFile);
  return toCertificate(generated.cert, generated.private, new X509Certificate(generated.cert), files, 'generated', reason);
}

/**
 * The operator's certificate and key (PEM files). Throws a ConfigError naming the variable when a
 * file is missing or not PEM, the key is encrypted or does not belong to the certificate, or the
 * certificate has expired.
 */
export async function loadOperatorCertificate(certFile: string, keyFile: string, now: Date = new Date()): Promise<TlsCertificate> {
  const files = { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
  const read = async (variable: string, file: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `${variable}: cannot read ${describe(file)} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Set it to the path of a PEM file the origin can read.`,
      );
    }
  };
  const cert = await read('TLS_CERT', files.certFile);
  const key = await read('TLS_KEY', files.keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`TLS_CERT: ${describe(files.certFile)} is not a PEM certificate (it should start with -----BEGIN CERTIFICATE-----).`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(
      `TLS_KEY: ${describe(files.keyFile)} is not an unencrypted PEM private key (it should start with -----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----; decrypt it with openssl pkey).`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `TLS_KEY: ${describe(files.keyFile)} is not the private key of the certificate in TLS_CERT (${describe(files.certFile)}). Give the key the certificate was issued for.`,
    );
  }
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= now.getTime()) {
    throw new ConfigError(
      `TLS_CERT: the certificate in ${describe(files.certFile)} expired on ${validTo.toISOString()}. Renew it, or unset TLS_CERT and TLS_KEY to let the origin make a self-signed one.`,
    );
  }
  return toCertificate(cert, key, x509, files, 'operator', null);
}

/** The certificate the configuration asks for: the operator's, a self-signed one in DATA_DIR/tls, or none (plain HTTP). */
export async function resolveTlsCertificate(config: Pick<OriginConfig, 'https' | 'tlsCertFile' | 'tlsKeyFile' | 'dataDir'>): Promise<TlsCertificate | null> {
  if (!config.https) return null;
  if (config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined) return loadOperatorCertificate(config.tlsCertFile, config.tlsKeyFile);
  return loadOrCreateSelfSigned(path.join(config.dataDir, 'tls'));
}
