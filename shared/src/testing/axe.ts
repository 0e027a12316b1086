// axe-core in a real page: the accessibility rules of WCAG 2.0-2.2 A/AA and axe's best practices,
// with the experimental label-in-name rule on (a control's name must contain its visible text).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[]; summary: string }[] };

/** Runs axe on the page as it is now and returns the violations of at least `minImpact`. */
export async function axeViolations(page: Page, minImpact: 'serious' | 'critical' | 'moderate' | 'minor' = 'serious'): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) {
    try {
      await page.addScriptTag({ path: AXE_SCRIPT });
    } catch {
      // A page whose Content-Security-Policy refuses inline scripts (the studio): evaluated through
      // the DevTools protocol instead, which the policy does not govern.
      await page.evaluate(await readFile(AXE_SCRIPT, 'utf8'));
    }
  }
  // A string, not a function: tsx's keepNames helpers (__name) do not exist in the page.
  const violations = await page.evaluate<AxeViolation[]>(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice', 'experimental'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact ?? null, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ') })),
    }));
  })()`);
  const order = ['minor', 'moderate', 'serious', 'critical'];
  return violations.filter((v) => order.indexOf(v.impact ?? 'minor') >= order.indexOf(minImpact));
}

/** One line per violation and node, for an assertion message. */
export function describeViolations(where: string, violations: AxeViolation[]): string {
  return violations.flatMap((v) => v.nodes.map((n) => `${where}: [${v.impact}] ${v.id} (${v.help}) at ${n.target.join(' ')}: ${n.summary}`)).join('\n');
}
