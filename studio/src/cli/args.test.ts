import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from './args.ts';

test('a token or key that starts with "-" is taken as the option value, not as another option', () => {
  // Bearer tokens are base64url: one in 64 starts with "-"; node's parseArgs alone calls that ambiguous.
  const parsed = parseCommandLine(['live', '--origin', 'http://127.0.0.1:8080', '--token', '-Tq9x_secret', '--duration', '5'], {});
  assert.equal(parsed.kind, 'run', JSON.stringify(parsed));
  assert.equal((parsed as { args: { token?: string } }).args.token, '-Tq9x_secret');
  const attached = parseCommandLine(['live', '--origin', 'http://127.0.0.1:8080', '--token=-Tq9x_secret'], {});
  assert.equal((attached as { args: { token?: string } }).args.token, '-Tq9x_secret');
});
