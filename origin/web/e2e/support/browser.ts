import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchChromium as launchSharedChromium } from '@spherecast/shared/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../../src/core/sessions.ts';
import { WEB_ROOT } from './build-player.ts';

export const ARTIFACTS = path.resolve(WEB_ROOT, '../../test-artifacts/e2e');

/** Chromium with the project's flags (see @spherecast/shared/testing), and the artefacts folder ready. */
export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return launchSharedChromium();
}

/**
 * Pages of one test file, each in its own browser context (its own cookies, and its own peer to the
 * others), signed in with a session token or not; `close` closes them all.
 */
export class TestPages {
  readonly #browser: Browser;
  readonly #baseUrl: string;
  readonly #contexts: BrowserContext[] = [];

  constructor(browser: Browser, baseUrl: string) {
    this.#browser = browser;
    this.#baseUrl = baseUrl;
  }

  async open(token?: string, viewport = { width: 800, height: 600 }): Promise<Page> {
    const context = await this.#browser.newContext({ viewport });
    this.#contexts.push(context);
    if (token) await context.addCookies([{ name: SESSION_COOKIE, value: token, url: this.#baseUrl }]);
    return context.newPage();
  }

  async close(): Promise<void> {
    for (const context of this.#contexts.splice(0)) await context.close().catch(() => undefined);
  }
}

export type OverlayStats = {
  httpBytes: number;
  p2pBytes: number;
  peers: number;
  rejected: number;
  /** Peer connections by path (getStats' selected candidate pair): host, STUN/peer-reflexive, TURN relay. */
  direct: number;
  reflexive: number;
  relayed: number;
  currentTime: number;
  paused: boolean;
};

/** Reads the P2P overlay's attributes and the video's clock. */
export async function readOverlay(page: Page): Promise<OverlayStats> {
  // No named inner functions here: tsx's esbuild would wrap them in a `__name` helper the page lacks.
  return page.evaluate(() => {
    const overlay = document.querySelector('[data-testid="p2p-stats"]');
    const video = document.querySelector('video');
    return {
      httpBytes: Number(overlay?.getAttribute('data-http-bytes') ?? 0),
      p2pBytes: Number(overlay?.getAttribute('data-p2p-bytes') ?? 0),
      peers: Number(overlay?.getAttribute('data-peers') ?? 0),
      rejected: Number(overlay?.getAttribute('data-rejected-segments') ?? 0),
      direct: Number(overlay?.getAttribute('data-direct-connections') ?? 0),
      reflexive: Number(overlay?.getAttribute('data-reflexive-connections') ?? 0),
      relayed: Number(overlay?.getAttribute('data-relayed-connections') ?? 0),
      currentTime: video?.currentTime ?? 0,
      paused: video?.paused ?? true,
    };
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
