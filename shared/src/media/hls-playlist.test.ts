import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMasterPlaylist, requiredHlsVersion, writeMasterPlaylist } from './hls-playlist.ts';

describe('EXT-X-VERSION (draft-pantos-hls-rfc8216bis §8)', () => {
  test('is computed from the tags and attributes a playlist uses', () => {
    assert.equal(requiredHlsVersion(['#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8']), 1);
    assert.equal(requiredHlsVersion(['#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x1']), 2);
    assert.equal(requiredHlsVersion(['#EXTINF:10,', 'a.ts']), 1);
    assert.equal(requiredHlsVersion(['#EXTINF:4.000000,', 'a.ts']), 3);
    assert.equal(requiredHlsVersion(['#EXT-X-BYTERANGE:100@0']), 4);
    assert.equal(requiredHlsVersion(['#EXT-X-MAP:URI="init.mp4"']), 6);
    assert.equal(requiredHlsVersion(['#EXT-X-I-FRAMES-ONLY', '#EXT-X-MAP:URI="init.mp4"']), 5);
    assert.equal(requiredHlsVersion(['#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="x",INSTREAM-ID="SERVICE1"']), 7);
    assert.equal(requiredHlsVersion(['#EXT-X-DEFINE:NAME="a",VALUE="b"']), 8);
    assert.equal(requiredHlsVersion(['#EXT-X-DEFINE:QUERYPARAM="token"']), 11);
    assert.equal(requiredHlsVersion(['#EXT-X-STREAM-INF:BANDWIDTH=1,REQ-VIDEO-LAYOUT="CH-MONO/PROJ-EQUI"', 'a.m3u8']), 12);
    // A REQ- inside a quoted value is not an attribute.
    assert.equal(requiredHlsVersion(['#EXT-X-SESSION-DATA:DATA-ID="x",VALUE="a,REQ-X=1"']), 1);
  });

  test('the master playlist declares version 12 for REQ-VIDEO-LAYOUT, and our parser reads it back', () => {
    for (const projection of ['equirectangular-mono', 'stereo-top-bottom'] as const) {
      const text = writeMasterPlaylist({
        projection,
        variants: [
          { uri: 'hi/index.m3u8', bandwidth: 5e6, averageBandwidth: 4e6, width: 3840, height: 1920, frameRate: 30, codecs: 'hvc1.1.6.L153.90,mp4a.40.2' },
        ],
        audio: { uri: 'audio/index.m3u8', groupId: 'audio', name: 'Audio', channels: 2 },
      });
      const lines = text.trim().split('\n');
      assert.equal(lines[0], '#EXTM3U');
      assert.equal(lines[1], '#EXT-X-VERSION:12');
      assert.equal(lines.filter((l) => l.startsWith('#EXT-X-VERSION')).length, 1);
      const master = parseMasterPlaylist(text);
      assert.equal(master.version, 12);
      assert.equal(master.variants.length, 1);
      assert.equal(master.variants[0]?.uri, 'hi/index.m3u8');
      assert.match(master.variants[0]?.attributes['REQ-VIDEO-LAYOUT'] ?? '', /PROJ-EQUI$/);
      assert.equal(master.media[0]?.URI, 'audio/index.m3u8');
    }
    assert.equal(parseMasterPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n').version, null);
  });
});
