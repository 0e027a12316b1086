// Each offload viewer in its own network namespace, so one cap covers everything it downloads: HTTP
// from the origin and WebRTC from other viewers alike (Chromium's network emulation throttles HTTP
// only). Needs root (ip, tc), like the NAT test in origin/web/e2e/nat/.
//
//   root ns (servers on 0.0.0.0; 10.148.<k>.1) --veth-- hub ns (10.148.<k>.2, forwards; bridge 10.147.<k>.1/24)
//   hub bridge --veth port vN-- viewer ns N (10.147.<k>.(N+1), Chromium)
//
// A cap is a tbf qdisc on the hub side of a viewer's veth, i.e. on every packet towards that viewer:
// downloads from the origin (routed from the root namespace) and from peers (bridged) pass it. The
// root namespace only gets a route to the bench's /24; its sysctls are not touched (forwarding is on
// in the hub namespace only).
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from '@spherecast/shared/testing';

const run = promisify(execFile);

export type NetnsViewer = {
  index: number;
  namespace: string;
  address: string;
  /** Hub-side interface: its tx counter is the viewer's whole download. */
  port: string;
  /** Runs Chromium inside the viewer's namespace (playwright's executablePath). */
  chromiumPath: string;
  capMbps: number | null;
};

export class ViewerNetwork {
  readonly viewers: NetnsViewer[] = [];
  /** The servers' address as the viewers reach it (root namespace end of the uplink). */
  readonly serverAddress: string;
  readonly #tag: string;
  readonly #subnet: number;
  readonly #hub: string;
  readonly #rootLink: string;
  #dir = '';
  #namespaces: string[] = [];
  #routeAdded = false;

  private constructor(tag: string, subnet: number) {
    this.#tag = tag;
    this.#subnet = subnet;
    this.#hub = `sbo${tag}-hub`;
    this.#rootLink = `sbo${tag}r`;
    this.serverAddress = `10.148.${subnet}.1`;
  }

  /** Whether namespaces can be made here (root with ip and tc); the reason when not. */
  static async available(): Promise<string | null> {
    if (process.getuid?.() !== 0) return 'not root';
    try {
      await run('tc', ['-V']);
      await run('ip', ['-V']);
      return null;
    } catch {
      return 'ip or tc (iproute2) missing';
    }
  }

  static async create(count: number): Promise<ViewerNetwork> {
    const tag = Math.random().toString(36).slice(2, 6);
    // A /24 per bench process, so two runs on one machine do not collide.
    const net = new ViewerNetwork(tag, 1 + (process.pid % 250));
    try {
      await net.#build(count);
    } catch (error) {
      await net.destroy();
      throw error;
    }
    return net;
  }

  async #exec(namespace: string, command: string, args: string[]): Promise<void> {
    await run('ip', ['netns', 'exec', namespace, command, ...args]);
  }

  async #build(count: number): Promise<void> {
    this.#dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-offload-netns-'));
    const s = this.#subnet;
    await run('ip', ['netns', 'add', this.#hub]);
    this.#namespaces.push(this.#hub);
    await this.#exec(this.#hub, 'ip', ['link', 'set', 'lo', 'up']);
    await this.#exec(this.#hub, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await run('ip', ['link', 'add', this.#rootLink, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', this.#hub]);
    await run('ip', ['addr', 'add', `10.148.${s}.1/30`, 'dev', this.#rootLink]);
    await run('ip', ['link', 'set', this.#rootLink, 'up']);
    await this.#exec(this.#hub, 'ip', ['addr', 'add', `10.148.${s}.2/30`, 'dev', 'uplink']);
    await this.#exec(this.#hub, 'ip', ['link', 'set', 'dev', 'uplink', 'up']);
    await this.#exec(this.#hub, 'ip', ['route', 'add', 'default', 'via', `10.148.${s}.1`]);
    await this.#exec(this.#hub, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    await this.#exec(this.#hub, 'ip', ['addr', 'add', `10.147.${s}.1/24`, 'dev', 'br0']);
    await this.#exec(this.#hub, 'ip', ['link', 'set', 'br0', 'up']);
    await run('ip', ['route', 'add', `10.147.${s}.0/24`, 'via', `10.148.${s}.2`]);
    this.#routeAdded = true;
    for (let i = 0; i < count; i += 1) {
      const namespace = `sbo${this.#tag}-v${i}`;
      const port = `v${i}`;
      const address = `10.147.${s}.${i + 2}`;
      await run('ip', ['netns', 'add', namespace]);
      this.#namespaces.push(namespace);
      await this.#exec(namespace, 'ip', ['link', 'set', 'lo', 'up']);
      await this.#exec(this.#hub, 'ip', ['link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      await this.#exec(this.#hub, 'ip', ['link', 'set', port, 'master', 'br0']);
      await this.#exec(this.#hub, 'ip', ['link', 'set', port, 'up']);
      await this.#exec(namespace, 'ip', ['addr', 'add', `${address}/24`, 'dev', 'eth0']);
      await this.#exec(namespace, 'ip', ['link', 'set', 'eth0', 'up']);
      await this.#exec(namespace, 'ip', ['route', 'add', 'default', 'via', `10.147.${s}.1`]);
      const chromiumPath = path.join(this.#dir, `chromium-${i}`);
      await writeFile(chromiumPath, `#!/bin/sh\nexec ip netns exec ${namespace} ${CHROMIUM_PATH} "$@"\n`);
      await chmod(chromiumPath, 0o755);
      this.viewers.push({ index: i, namespace, address, port, chromiumPath, capMbps: null });
    }
  }

  /**
   * Caps what `viewer` receives at `mbps` (null: uncapped) with a token bucket on its port. The bucket
   * holds 10 ms at the rate (at least 16 KiB); the queue holds 100 ms before tbf drops, as a home
   * router's would, so TCP and WebRTC's congestion control both see the limit.
   */
  async setCap(viewer: NetnsViewer, mbps: number | null): Promise<void> {
    await run('ip', ['netns', 'exec', this.#hub, 'tc', 'qdisc', 'del', 'dev', viewer.port, 'root']).catch(() => undefined);
    viewer.capMbps = mbps;
    if (mbps === null) return;
    const burstBytes = Math.max(16 * 1024, Math.round((mbps * 1e6) / 8 / 100));
    await this.#exec(this.#hub, 'tc', [
      'qdisc',
      'add',
      'dev',
      viewer.port,
      'root',
      'tbf',
      'rate',
      `${mbps}mbit`,
      'burst',
      String(burstBytes),
      'latency',
      '100ms',
    ]);
  }

  /** Bytes sent to the viewer so far (everything it downloaded), from the kernel's interface counter. */
  async receivedBytes(viewer: NetnsViewer): Promise<number> {
    const { stdout } = await run('ip', ['netns', 'exec', this.#hub, 'cat', `/sys/class/net/${viewer.port}/statistics/tx_bytes`]);
    return Number(stdout.trim());
  }

  /** Downloads `url` from inside the viewer's namespace for up to `seconds` and returns the rate in Mbit/s (curl's own figure). */
  async measureDownloadMbps(viewer: NetnsViewer, url: string, seconds: number): Promise<number> {
    const { stdout } = await run(
      'ip',
      ['netns', 'exec', viewer.namespace, 'curl', '-s', '-o', '/dev/null', '--max-time', String(seconds), '-w', '%{speed_download}', url],
      { timeout: (seconds + 5) * 1000 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '0' })); // curl exits 28 at --max-time but still prints
    return (Number(stdout.trim()) * 8) / 1e6;
  }

  async destroy(): Promise<void> {
    if (this.#routeAdded) await run('ip', ['route', 'del', `10.147.${this.#subnet}.0/24`]).catch(() => undefined);
    await run('ip', ['link', 'del', this.#rootLink]).catch(() => undefined);
    for (const name of this.#namespaces.splice(0).reverse()) await run('ip', ['netns', 'del', name]).catch(() => undefined);
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
