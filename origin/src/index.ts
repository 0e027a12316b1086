export { createOrigin, type Origin, type OriginOptions } from './origin.ts';
export { loadOriginConfig, type OriginConfig } from './core/config.ts';
export { openDatabase, type Database } from './db/database.ts';
export { lanNames, loadOrCreateSelfSigned, resolveTlsCertificate, type TlsCertificate } from './edges/tls-certificate.ts';
export type { AppRouter } from './edges/app-router.ts';
