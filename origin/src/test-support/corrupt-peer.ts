import type { Page } from 'playwright-core';

/**
 * Makes `page` a corrupting peer: every response matching `pattern` (a Playwright route glob) gets an
 * MP4 `free` box of junk appended. The page itself still decodes the segment (bit flips in the picture
 * data make Chromium stop the element, and a stopped peer shares nothing), so it plays and shares it,
 * while the bytes no longer match the published SHA-256: whoever takes the segment from it must reject it.
 */
export async function corruptSegments(page: Page, pattern: string): Promise<void> {
  await page.route(pattern, async (route) => {
    const response = await route.fetch();
    const junk = Buffer.alloc(64, 0x5a);
    junk.writeUInt32BE(junk.length, 0);
    junk.write('free', 4, 'latin1');
    const body = Buffer.concat([Buffer.from(await response.body()), junk]);
    await route.fulfill({ response, body, headers: { ...response.headers(), 'content-length': String(body.length) } });
  });
}
