import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Debian's Chromium (CI installs it with apt-get); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags every Chromium the tests and benchmarks drive needs here: running as root, no GPU (WebGL on
 * SwiftShader, which Chromium only uses when told it is acceptable), no network but loopback, video
 * that autoplays, and pages in background tabs that keep playing and sharing like foreground ones.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--autoplay-policy=no-user-gesture-required',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
] as const;

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ ...options, executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
}
