// nginx (Debian's package) for the media bench and the test of docs/nginx-media.conf: found on this
// machine, started in the foreground in a folder of its own, and the shipped configuration with a
// run's own origin, port and folders in its four marked values.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHIPPED_NGINX_CONFIG = fileURLToPath(new URL('../../../docs/nginx-media.conf', import.meta.url));

/** NGINX_PATH, else /usr/sbin/nginx, /usr/bin/nginx, or nginx on the PATH; null when there is none. */
export function findNginx(): string | null {
  const candidates = [
    process.env.NGINX_PATH,
    '/usr/sbin/nginx',
    '/usr/bin/nginx',
    ...(process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'nginx')),
  ];
  return candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate)) ?? null;
}

export interface RunningNginx {
  url: string;
  child: ChildProcess;
  /** Stops nginx and waits for it to exit. */
  stop: () => Promise<void>;
}

/**
 * nginx in the foreground with `http` configuration `httpBody`, in `dir` (which nginx's workers, another
 * user when this runs as root, must be able to enter); resolves once it answers on `port`.
 */
export async function startNginx(binary: string, dir: string, port: number, httpBody: string): Promise<RunningNginx> {
  await mkdir(path.join(dir, 'temp'), { recursive: true });
  const config = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
${httpBody}
}
`;
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, config);
  const child = spawn(binary, ['-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    try {
      await fetch(`${url}/`);
      return { url, child, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not listen on ${url}: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** docs/nginx-media.conf as shipped, with this run's origin, port and folders in its four marked values. */
export async function shippedNginxConfig(port: number, publishedRoot: string, originUrl: string, dir: string): Promise<string> {
  let text = await readFile(SHIPPED_NGINX_CONFIG, 'utf8');
  const replacements: Array<[string, string]> = [
    ['server 127.0.0.1:8080;', `server ${new URL(originUrl).host};`],
    ['/var/cache/nginx/spherecast-media-access', path.join(dir, 'access-cache')],
    ['listen 80;', `listen 127.0.0.1:${port};`],
    ['/srv/spherecast/data/media/published/', `${publishedRoot}/`],
  ];
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`docs/nginx-media.conf no longer contains "${from}": update origin/src/test-support/nginx.ts with it`);
    text = text.replace(from, to);
  }
  return text;
}
