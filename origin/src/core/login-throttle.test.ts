import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from './login-throttle.ts';

test('after the allowed failures a login is refused until its window has passed', () => {
  let time = 0;
  const throttle = new LoginThrottle(3, 60_000, () => time);
  for (let i = 0; i < 3; i += 1) {
    assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 0);
    throttle.recordFailure('1.2.3.4', 'ana');
  }
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 60);
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'bob'), 0, 'other logins are not affected');
  assert.equal(throttle.retryAfterSeconds('5.6.7.8', 'ana'), 0, 'other addresses are not affected');
  time = 45_000;
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 15);
  time = 60_000;
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 0);
});

test('a successful sign-in clears the failures', () => {
  const throttle = new LoginThrottle(2, 60_000, () => 0);
  throttle.recordFailure('ip', 'ana');
  throttle.recordSuccess('ip', 'ana');
  throttle.recordFailure('ip', 'ana');
  assert.equal(throttle.retryAfterSeconds('ip', 'ana'), 0);
});

test('memory stays bounded under a flood of distinct logins', () => {
  const throttle = new LoginThrottle(1, 60_000, () => 0, 100);
  for (let i = 0; i < 1000; i += 1) throttle.recordFailure('ip', `user${i}`);
  assert.equal(throttle.retryAfterSeconds('ip', 'user0'), 0, 'the oldest were dropped');
  assert.ok(throttle.retryAfterSeconds('ip', 'user999') > 0);
});
