// Networks built like the real ones, out of Linux network namespaces (root only): a "public"
// namespace (the internet: one bridge, 198.51.100.0/24, TEST-NET-2) where the servers live, and for
// each viewer a home network (10.0.<n>.0/24) behind a NAT router made with nftables:
//
//   viewer ns (10.0.n.2) --veth-- router ns (10.0.n.1 | 198.51.100.(10+n)) --veth-- public ns bridge (198.51.100.1)
//
// NAT kinds (RFC 4787 terms):
// - `full-cone`: endpoint-independent mapping (source port kept) and filtering (any UDP to a mapped
//   port is let in to the viewer): STUN-reflexive candidates work from anywhere.
// - `symmetric`: address- and port-dependent mapping (a random external port per destination,
//   `snat ... fully-random`) and filtering (conntrack): the STUN server sees another port than a
//   peer would, so only a relay (or a peer whose NAT lets anything in) reaches it.
// - `udp-blocked`: TCP is NATed, UDP is dropped both ways: only TURN over TCP works.
//
// Every name carries a per-lab prefix, everything is deleted by destroy() (also after a failure
// half-way through create()), and the routers' names never reach the host's own namespace.
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const NAT_KINDS = ['full-cone', 'symmetric', 'udp-blocked'] as const;
export type NatKind = (typeof NAT_KINDS)[number];

/** The public side: where the origin, tracker and coturn listen. */
export const PUBLIC_ADDRESS = '198.51.100.1';

export type LabViewer = {
  name: string;
  nat: NatKind;
  /** The viewer's network namespace. */
  namespace: string;
  /** Its address in its home network. */
  address: string;
  /** Its router's public address (what STUN reports for it). */
  publicAddress: string;
  /** An executable that runs Chromium inside the viewer's namespace (for playwright's executablePath). */
  chromiumPath: string;
};

/** False when this machine can build the lab; otherwise why not (for `test(..., { skip })`). */
export function natLabUnavailable(): false | string {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the tests as root, as CI does)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).error) return 'iproute2 `ip` is not installed (apt-get install iproute2)';
  if (spawnSync('nft', ['--version'], { stdio: 'ignore' }).error) return 'nftables `nft` is not installed (apt-get install nftables)';
  const probe = `scprobe${process.pid % 100_000}`;
  const created = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (created.status !== 0) return `cannot create a network namespace here (${created.stderr.trim() || `ip exited ${created.status}`})`;
  const nft = spawnSync('ip', ['netns', 'exec', probe, 'nft', 'add', 'table', 'ip', 'probe'], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', probe]);
  if (nft.status !== 0) return `nftables does not work in a network namespace here (${nft.stderr.trim()})`;
  return false;
}

export type NatLabOptions = {
  viewers: ReadonlyArray<{ name: string; nat: NatKind }>;
  /** Chromium to wrap. @default CHROMIUM_PATH or /usr/bin/chromium */
  chromium?: string;
};

function rules(nat: NatKind, viewer: string, publicAddress: string): string {
  const masquerade =
    nat === 'symmetric'
      ? // A new random external port for every new mapping (i.e. per destination): endpoint-dependent.
        `oifname "wan" meta l4proto { tcp, udp } snat to ${publicAddress}:1024-65535 fully-random\n    oifname "wan" snat to ${publicAddress}`
      : // Linux keeps the source port when it is free: endpoint-independent mapping.
        `oifname "wan" snat to ${publicAddress}`;
  const inbound = nat === 'full-cone' ? `iifname "wan" meta l4proto udp dnat to ${viewer}` : '';
  const block = nat === 'udp-blocked' ? 'meta l4proto udp drop' : '';
  return [
    'table ip lab {',
    `  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n    ${inbound}\n  }`,
    `  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n    ${masquerade}\n  }`,
    `  chain forward {\n    type filter hook forward priority filter; policy accept;\n    ${block}\n  }`,
    '}',
    '',
  ].join('\n');
}

export class NatLab {
  readonly prefix = `sc${process.pid % 100_000}${Math.random().toString(36).slice(2, 5)}`;
  readonly publicNamespace = `${this.prefix}-pub`;
  readonly viewers: LabViewer[] = [];
  readonly #namespaces: string[] = [];
  #dir = '';

  /** Builds the networks. On failure everything made so far is removed before the error is thrown. */
  static async create(options: NatLabOptions): Promise<NatLab> {
    const lab = new NatLab();
    try {
      await lab.#build(options);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Runs a command inside a namespace and returns its stdout. */
  async exec(namespace: string, command: string, args: string[]): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', namespace, command, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  }

  /** `[command, ...args]` prefixed so that it runs in `namespace` (for spawn). */
  wrap(namespace: string, command: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', namespace, command, ...args]];
  }

  async #ns(name: string): Promise<void> {
    await run('ip', ['netns', 'add', name]);
    this.#namespaces.push(name);
    await this.exec(name, 'ip', ['link', 'set', 'lo', 'up']);
    // IPv4 only: no IPv6 link-local candidates that could pair across a veth.
    await this.exec(name, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    await this.exec(name, 'sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
  }

  async #build({ viewers, chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }: NatLabOptions): Promise<void> {
    this.#dir = await mkdtemp(path.join(tmpdir(), 'spherecast-natlab-'));
    const pub = this.publicNamespace;
    await this.#ns(pub);
    await this.exec(pub, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await this.exec(pub, 'ip', ['addr', 'add', `${PUBLIC_ADDRESS}/24`, 'dev', 'br0']);
    await this.exec(pub, 'ip', ['link', 'set', 'br0', 'up']);
    let n = 0;
    for (const { name, nat } of viewers) {
      n += 1;
      const router = `${this.prefix}-r${n}`;
      const home = `${this.prefix}-v${n}`;
      const publicAddress = `198.51.100.${10 + n}`;
      const address = `10.0.${n}.2`;
      await this.#ns(router);
      await this.#ns(home);
      // Each veth is made directly between two lab namespaces: no interface name in the host's namespace.
      await run('ip', ['link', 'add', 'wan', 'netns', router, 'type', 'veth', 'peer', 'name', `up${n}`, 'netns', pub]);
      await run('ip', ['link', 'add', 'lan', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', home]);
      await this.exec(pub, 'ip', ['link', 'set', `up${n}`, 'master', 'br0', 'up']);
      await this.exec(router, 'ip', ['addr', 'add', `${publicAddress}/24`, 'dev', 'wan']);
      await this.exec(router, 'ip', ['addr', 'add', `10.0.${n}.1/24`, 'dev', 'lan']);
      await this.exec(router, 'ip', ['link', 'set', 'wan', 'up']);
      await this.exec(router, 'ip', ['link', 'set', 'lan', 'up']);
      await this.exec(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      await this.exec(router, 'nft', ['-f', await this.#file(`nat-${n}.nft`, rules(nat, address, publicAddress))]);
      await this.exec(home, 'ip', ['addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await this.exec(home, 'ip', ['link', 'set', 'eth0', 'up']);
      await this.exec(home, 'ip', ['route', 'add', 'default', 'via', `10.0.${n}.1`]);
      const chromiumPath = await this.#file(`chromium-${n}`, `#!/bin/sh\nexec ip netns exec ${home} ${chromium} "$@"\n`);
      await chmod(chromiumPath, 0o755);
      this.viewers.push({ name, nat, namespace: home, address, publicAddress, chromiumPath });
    }
  }

  async #file(name: string, text: string): Promise<string> {
    const file = path.join(this.#dir, name);
    await writeFile(file, text);
    return file;
  }

  /** Deletes every namespace (which takes their interfaces and rules along) and the wrapper scripts. */
  async destroy(): Promise<void> {
    // Processes still running in a namespace keep it alive after `ip netns del`; callers stop theirs first.
    for (const name of this.#namespaces.splice(0).reverse()) await run('ip', ['netns', 'del', name]).catch(() => undefined);
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
