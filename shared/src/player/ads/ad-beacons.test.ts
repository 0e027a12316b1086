// AdBeacons: the VAST rules on when each tracking event may go (each once, in order, nothing after the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdBeacons, expandMacros, formatAdPlayhead, VAST_ERROR_CODES } from './ad-beacons.ts';

const tracking = {
  impression: ['https://t.example/i', 'https://u.example/i'],
  start: ['https://t.example/s'],
  firstQuartile: ['https://t.example/q1'],
  midpoint: ['https://t.example/q2'],
  thirdQuartile: ['https://t.example/q3'],
  complete: ['https://t.example/c'],
  skip: ['https://t.example/skip?at=[ADPLAYHEAD]'],
  clickTracking: ['https://t.example/click'],
  error: ['https://t.example/e?code=[ERRORCODE]'],
};

function recorder(): { sent: string[]; beacons: AdBeacons } {
  const sent: string[] = [];
  return { sent, beacons: new AdBeacons(tracking, (url) => sent.push(url)) };
}

test('a later progress event brings the missed earlier ones, each once and in order, to every URL of each', () => {
  const { sent, beacons } = recorder();
  beacons.progress('midpoint', 5);
  beacons.progress('firstQuartile', 5);
  beacons.progress('complete', 10);
  beacons.progress('complete', 10);
  assert.deepEqual(beacons.fired, ['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete']);
  assert.deepEqual(sent, [
    'https://t.example/i',
    'https://u.example/i',
    'https://t.example/s',
    'https://t.example/q1',
    'https://t.example/q2',
    'https://t.example/q3',
    'https://t.example/c',
  ]);
});

test('skip only after start and ends the ad; click only after the impression; error with its code and not after the end', () => {
  const { sent, beacons } = recorder();
  beacons.click(0);
  beacons.skip(0);
  assert.deepEqual(sent, [], 'nothing before the ad showed');
  beacons.progress('start', 0.1);
  beacons.click(1);
  beacons.click(2);
  beacons.skip(3.25);
  beacons.progress('complete', 4);
  beacons.error(VAST_ERROR_CODES.cannotPlay);
  assert.deepEqual(beacons.fired, ['impression', 'start', 'clickTracking', 'skip']);
  assert.equal(sent.at(-1), `https://t.example/skip?at=${encodeURIComponent('00:00:03.250')}`);

  const failed = recorder();
  failed.beacons.error(VAST_ERROR_CODES.fileNotFound);
  failed.beacons.progress('start');
  assert.deepEqual(failed.sent, ['https://t.example/e?code=401'], 'an ad that failed reports nothing else');
});

test('macros: [ERRORCODE], [ADPLAYHEAD] as HH:MM:SS.mmm, [CACHEBUSTING] as 8 digits; unknown macros stay', () => {
  assert.equal(formatAdPlayhead(3723.5), '01:02:03.500');
  const url = expandMacros('https://t.example/?e=[ERRORCODE]&cb=[CACHEBUSTING]&x=[OTHER]', { errorCode: 405 });
  assert.match(url, /^https:\/\/t\.example\/\?e=405&cb=\d{8}&x=\[OTHER\]$/);
});
