import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle, RateLimitedError } from './login-throttle.ts';

/** One wrong password: reserved and never taken back. */
function fail(throttle: LoginThrottle, ip: string, login: string): void {
  throttle.reserve(ip, login);
}

test('after the allowed failures a login is refused until its window has passed', () => {
  let time = 0;
  const throttle = new LoginThrottle(3, 60_000, () => time);
  for (let i = 0; i < 3; i += 1) {
    assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 0);
    fail(throttle, '1.2.3.4', 'ana');
  }
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 60);
  assert.throws(
    () => throttle.reserve('1.2.3.4', 'ana'),
    (error: unknown) => error instanceof RateLimitedError && error.retryAfterSeconds === 60 && /Try again in 1 minute/.test(error.message),
  );
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'bob'), 0, 'other logins are not affected');
  assert.equal(throttle.retryAfterSeconds('5.6.7.8', 'ana'), 0, 'other addresses are not affected');
  time = 45_000;
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 15);
  time = 60_000;
  assert.equal(throttle.retryAfterSeconds('1.2.3.4', 'ana'), 0);
});

test('a successful sign-in clears the failures', () => {
  const throttle = new LoginThrottle(2, 60_000, () => 0);
  fail(throttle, 'ip', 'ana');
  throttle.reserve('ip', 'ana').succeeded();
  fail(throttle, 'ip', 'ana');
  assert.equal(throttle.retryAfterSeconds('ip', 'ana'), 0);
});

test('attempts are counted when reserved, before the password is checked: concurrent attempts beyond the limit are refused at once', () => {
  const throttle = new LoginThrottle(10, 60_000, () => 0);
  // 100 attempts in flight together (a tRPC batch, or concurrent requests): none has finished yet.
  const outcomes = Array.from({ length: 100 }, () => {
    try {
      return throttle.reserve('ip', 'ana');
    } catch (error) {
      assert.ok(error instanceof RateLimitedError);
      return null;
    }
  });
  assert.equal(outcomes.filter(Boolean).length, 10, 'only 10 attempts get to check a password');
  assert.equal(outcomes[99], null, 'the last one (the right password in the attack) is refused');
});

test('an attempt that could not be checked is taken back without forgetting the failures', () => {
  const throttle = new LoginThrottle(2, 60_000, () => 0);
  fail(throttle, 'ip', 'ana');
  throttle.reserve('ip', 'ana').abandoned();
  fail(throttle, 'ip', 'ana');
  assert.ok(throttle.retryAfterSeconds('ip', 'ana') > 0, 'two real failures');
});

test('an address is limited across logins too, and signing in to its own account does not reset that', () => {
  const throttle = new LoginThrottle(10, 60_000, () => 0, 1000, 5);
  for (let i = 0; i < 4; i += 1) fail(throttle, 'ip', `user${i}`);
  throttle.reserve('ip', 'mine').succeeded();
  fail(throttle, 'ip', 'user4');
  assert.throws(() => throttle.reserve('ip', 'user5'), /Too many failed sign-ins from your address/);
  assert.throws(() => throttle.reserve('ip', 'mine'), RateLimitedError);
  assert.doesNotThrow(() => throttle.reserve('other-ip', 'user5'));
});

test('memory stays bounded under a flood of distinct logins', () => {
  const throttle = new LoginThrottle(1, 60_000, () => 0, 100, 10_000);
  for (let i = 0; i < 1000; i += 1) fail(throttle, 'ip', `user${i}`);
  assert.equal(throttle.retryAfterSeconds('ip', 'user0'), 0, 'the oldest were dropped');
  assert.ok(throttle.retryAfterSeconds('ip', 'user999') > 0);
});
