// The layer rules fail the lint when broken: dependency-cruiser runs with the repository's own
// .dependency-cruiser.cjs on a fixture that breaks each rule once, and on the repository itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs dependency-cruiser as `npm run lint` does; `json` lists the violations, `err` gives the exit code the lint sees. */
async function cruise(cwd: string, dirs: string[], outputType: 'json' | 'err'): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [depcruise, '--config', config, '--output-type', outputType, ...dirs], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

const violationsOf = (stdout: string) => (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;

test('every layer rule fires on a fixture that breaks it, and the run fails', async () => {
  const fixture = path.join(root, 'scripts/layer-rules/fixture');
  const [listed, lint] = await Promise.all([cruise(fixture, ['origin', 'shared'], 'json'), cruise(fixture, ['origin', 'shared'], 'err')]);
  assert.notEqual(lint.code, 0, 'a violation fails the lint');
  const violations = violationsOf(listed.stdout);
  const found = new Set(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`));
  for (const expected of [
    'no-cycles: origin/src/edges/cycle-a.ts -> origin/src/edges/cycle-b.ts',
    'core-imports-only-down: origin/src/core/access.ts -> origin/src/domains/catalog/content-router.ts',
    'domains-import-only-down: origin/src/domains/engagement/likes.ts -> origin/src/edges/http-server.ts',
    'domains-stay-apart: origin/src/domains/catalog/content-router.ts -> origin/src/domains/engagement/likes.ts',
    'browser-code-is-not-node-code: origin/web/src/page.ts -> fs',
    'shared-is-below-every-package: shared/src/player/player.ts -> origin/src/edges/http-server.ts',
  ]) {
    assert.ok(found.has(expected), `expected ${expected}; found:\n${[...found].join('\n')}`);
  }
});

test('the repository itself keeps the rules', async () => {
  const { code, stdout } = await cruise(root, ['shared/src', 'origin/src', 'origin/web/src', 'tracker/src', 'studio/src', 'bench'], 'json');
  assert.deepEqual(
    violationsOf(stdout).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
    [],
  );
  assert.equal(code, 0);
});
