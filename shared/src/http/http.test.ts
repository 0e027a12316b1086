import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentRange, fileExtension, mediaContentType, parseByteRange, unsatisfiedRange, webContentType } from './index.ts';

describe('parseByteRange (RFC 9110 §14)', () => {
  it('reads first-last, open-ended and suffix ranges, clamping to the representation', () => {
    assert.deepEqual(parseByteRange('bytes=0-', 100), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=10-19', 100), { start: 10, end: 19 });
    assert.deepEqual(parseByteRange('bytes=99-99', 100), { start: 99, end: 99 });
    assert.deepEqual(parseByteRange('bytes=90-500', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-1000', 100), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=0-99999999999999999999999', 100), { start: 0, end: 99 });
  });

  it('accepts what the grammar allows: any case of the unit, whitespace and empty list elements', () => {
    assert.deepEqual(parseByteRange('Bytes=10-19', 100), { start: 10, end: 19 });
    assert.deepEqual(parseByteRange('bytes= 10-19 ', 100), { start: 10, end: 19 });
    assert.deepEqual(parseByteRange('bytes=10-19,', 100), { start: 10, end: 19 });
  });

  it('answers 416 for a valid range that selects nothing: past the end, any int-range of an empty file, bytes=-0', () => {
    assert.equal(parseByteRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=100-200', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 0), 'unsatisfiable');
  });

  it('ignores an invalid ranges-specifier (the whole file is served): bytes=- has no suffix-length', () => {
    for (const invalid of ['bytes=-', 'bytes=', 'bytes=20-10', 'bytes=abc', 'bytes=1-2-3', 'bytes=--5', 'bytes=0x10-', 'bytes=1.5-2', 'bytes 0-1']) {
      assert.equal(parseByteRange(invalid, 100), null, invalid);
    }
  });

  it('ignores no header, other units and multiple ranges', () => {
    assert.equal(parseByteRange(undefined, 100), null);
    assert.equal(parseByteRange(null, 100), null);
    assert.equal(parseByteRange('', 100), null);
    assert.equal(parseByteRange('items=0-1', 100), null);
    assert.equal(parseByteRange('bytes=0-1,5-6', 100), null);
  });

  it('serves an empty file whole for a non-zero suffix, which selects no bytes a 206 could name', () => {
    assert.equal(parseByteRange('bytes=-5', 0), null);
  });

  it('writes Content-Range for 206 and 416', () => {
    assert.equal(contentRange({ start: 10, end: 19 }, 100), 'bytes 10-19/100');
    assert.equal(unsatisfiedRange(100), 'bytes */100');
  });
});

describe('content types', () => {
  it('names HLS, video, image and subtitle files by extension, in any case', () => {
    assert.equal(mediaContentType('master.m3u8'), 'application/vnd.apple.mpegurl');
    assert.equal(mediaContentType('1080p/seg-00001.m4s'), 'video/iso.segment');
    assert.equal(mediaContentType('init.mp4'), 'video/mp4');
    assert.equal(mediaContentType('clip.MP4'), 'video/mp4');
    assert.equal(mediaContentType('audio/init.m4a'), 'audio/mp4');
    assert.equal(mediaContentType('old/seg.ts'), 'video/mp2t');
    assert.equal(mediaContentType('pano.JPG'), 'image/jpeg');
    assert.equal(mediaContentType('captions.vtt'), 'text/vtt; charset=utf-8');
    assert.equal(mediaContentType('hashes.json'), 'application/json');
  });

  it('never serves a creator upload as HTML, script or SVG (they would run on the origin domain)', () => {
    for (const name of ['evil.html', 'evil.htm', 'evil.js', 'evil.svg', 'evil.xhtml', 'evil.css']) {
      assert.equal(mediaContentType(name), 'application/octet-stream', name);
    }
  });

  it('names the built web apps’ own assets', () => {
    assert.equal(webContentType('index.html'), 'text/html; charset=utf-8');
    assert.equal(webContentType('/assets/index-abc123.js'), 'text/javascript; charset=utf-8');
    assert.equal(webContentType('assets/index.css'), 'text/css; charset=utf-8');
    assert.equal(webContentType('assets/index.js.map'), 'application/json');
    assert.equal(webContentType('favicon.ico'), 'image/x-icon');
    assert.equal(webContentType('logo.svg'), 'image/svg+xml');
    assert.equal(webContentType('font.woff2'), 'font/woff2');
    assert.equal(webContentType('poster.webp'), 'image/webp');
  });

  it('falls back to application/octet-stream for unknown or missing extensions and prototype names', () => {
    for (const name of ['noext', 'archive.tar.zst', '.hidden', 'folder.d/file', 'x.constructor', 'x.__proto__', 'x.']) {
      assert.equal(mediaContentType(name), 'application/octet-stream', name);
      assert.equal(webContentType(name), 'application/octet-stream', name);
    }
  });

  it('takes the extension of the last path segment only', () => {
    assert.equal(fileExtension('a/B.MP4'), '.mp4');
    assert.equal(fileExtension('C:\\clips\\pano.Jpeg'), '.jpeg');
    assert.equal(fileExtension('a.d/file'), '');
    assert.equal(fileExtension('.gitignore'), '');
  });
});
