// Capture device sources: the ffmpeg input of each platform's capture API (pure), and the errors for a
// device that is not there or a platform without one. No camera here: the real device path is the
// Linux one with a /dev/videoN that does not exist.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { isMediaError } from './errors.ts';
import { captureDeviceInput, resolveLiveSource } from './live-source.ts';

describe('capture device sources', () => {
  test('each platform opens its device with its own API and options', () => {
    assert.deepEqual(captureDeviceInput('linux', '/dev/video2'), { format: 'v4l2', options: [], url: '/dev/video2' });
    assert.deepEqual(captureDeviceInput('linux', '/dev/video0', { fps: 30, width: 3840, height: 1920 }), {
      format: 'v4l2',
      options: ['-framerate', '30', '-video_size', '3840x1920'],
      url: '/dev/video0',
    });
    // avfoundation: a device index (or name) without audio, at 30 fps unless told (29.97 is refused by most cameras).
    assert.deepEqual(captureDeviceInput('darwin', '1'), { format: 'avfoundation', options: ['-framerate', '30'], url: '1:none' });
    assert.deepEqual(captureDeviceInput('darwin', 'RICOH THETA Z1:0', { fps: 29.97 }), {
      format: 'avfoundation',
      options: ['-framerate', '29.97'],
      url: 'RICOH THETA Z1:0',
    });
    // dshow: `video=Name`, a bare name gets the prefix; a real-time buffer for a 4K camera.
    assert.deepEqual(captureDeviceInput('win32', 'video=Insta360 Link'), { format: 'dshow', options: ['-rtbufsize', '256M'], url: 'video=Insta360 Link' });
    assert.deepEqual(captureDeviceInput('win32', 'Integrated Camera', { fps: 30 }), {
      format: 'dshow',
      options: ['-rtbufsize', '256M', '-framerate', '30'],
      url: 'video=Integrated Camera',
    });
  });

  test('a platform without a capture API, or an id that cannot name a device there, is refused with what to do', () => {
    assert.throws(
      () => captureDeviceInput('freebsd', '/dev/video0'),
      (e: unknown) => isMediaError(e) && e.code === 'INVALID_OPTIONS' && /freebsd.*no capture API.*--source test/.test(e.message),
    );
    assert.throws(
      () => captureDeviceInput('linux', 'FaceTime HD Camera'),
      (e: unknown) => isMediaError(e) && /device node like \/dev\/video0/.test(e.message),
    );
    assert.throws(
      () => captureDeviceInput('win32', '  '),
      (e: unknown) => isMediaError(e) && /--list-devices/.test(e.message),
    );
  });

  test('Linux: a /dev/videoN that does not exist is INPUT_NOT_FOUND, saying what the machine has instead', async () => {
    let n = 90;
    while (existsSync(`/dev/video${n}`)) n++;
    await assert.rejects(resolveLiveSource({ kind: 'device', id: `/dev/video${n}` }, { platform: 'linux' }), (e: unknown) => {
      assert.ok(isMediaError(e));
      assert.equal(e.code, 'INPUT_NOT_FOUND');
      assert.match(e.message, new RegExp(`There is no capture device /dev/video${n}\\. This machine has (no video capture device|: /dev/video)`));
      return true;
    });
    await assert.rejects(resolveLiveSource({ kind: 'device', id: '0' }, { platform: 'aix' }), (e: unknown) => isMediaError(e) && e.code === 'INVALID_OPTIONS');
  });
});
