import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentTypeFor, parseByteRange } from './byte-range.ts';

describe('parseByteRange', () => {
  it('serves the whole file without a usable header', () => {
    assert.equal(parseByteRange(undefined, 100), null);
    assert.equal(parseByteRange('items=0-1', 100), null);
    assert.equal(parseByteRange('bytes=0-1,5-6', 100), null);
  });
  it('reads open, closed and suffix ranges and clamps the end to the file', () => {
    assert.deepEqual(parseByteRange('bytes=0-', 100), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=10-19', 100), { start: 10, end: 19 });
    assert.deepEqual(parseByteRange('bytes=90-500', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseByteRange('bytes=-1000', 100), { start: 0, end: 99 });
  });
  it('reports ranges outside the file as unsatisfiable', () => {
    assert.equal(parseByteRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=20-10', 100), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 100), 'unsatisfiable');
  });
  it('names the content type of media files by extension', () => {
    assert.equal(contentTypeFor('clip.MP4'), 'video/mp4');
    assert.equal(contentTypeFor('pano.jpg'), 'image/jpeg');
    assert.equal(contentTypeFor('noext'), 'application/octet-stream');
  });
});
