/**
 * Debian's chromium, driven by playwright-core: never a downloaded browser.
 * A machine without it skips the test, visibly, naming the package.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function skipWithoutChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return false;
  t.skip(`needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  return true;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh chromium with a new, empty profile, removed with it. */
export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'vcstore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Every URL a page asks for, and every error it throws. */
export function watchPage(page: Page): { requests: string[]; errors: string[] } {
  const seen = { requests: [] as string[], errors: [] as string[] };
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  return seen;
}

/**
 * How much of a screenshot is not its background: the share of pixels that
 * differ from the top-left one, decoded by the browser itself in a blank page.
 */
export async function inkOf(browser: Browser, png: Buffer): Promise<number> {
  const page = await browser.context.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const g = canvas.getContext('2d');
      if (!g) return 0;
      g.drawImage(img, 0, 0);
      const px = g.getImageData(0, 0, img.width, img.height).data;
      let differ = 0;
      for (let i = 0; i < px.length; i += 4)
        if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2]) differ++;
      return differ / (px.length / 4);
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}
