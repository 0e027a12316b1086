import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PUBLISH_LIMITS } from './limits.ts';
import { PlaylistError, readMasterPlaylist, readMediaPlaylist, resolvePlaylistUri } from './playlist.ts';

const MASTER = `#EXTM3U
#EXT-X-VERSION:12
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=4188099,AVERAGE-BANDWIDTH=4003034,RESOLUTION=1920x960,FRAME-RATE=30.000,CODECS="avc1.640028,mp4a.40.2",AUDIO="audio",REQ-VIDEO-LAYOUT="CH-MONO/PROJ-EQUI"
1920x960/index.m3u8
`;

const variant = (attributes: string, uri = 'v/index.m3u8') => `#EXTM3U\n#EXT-X-STREAM-INF:${attributes}\n${uri}\n`;

test('a master playlist yields its variants and every playlist it names (audio renditions too)', () => {
  const master = readMasterPlaylist(MASTER);
  assert.deepEqual(master.playlists, ['audio/index.m3u8', '1920x960/index.m3u8']);
  assert.deepEqual(master.variants, [
    {
      uri: '1920x960/index.m3u8',
      playlistPath: '1920x960/index.m3u8',
      bandwidth: 4188099,
      averageBandwidth: 4003034,
      width: 1920,
      height: 960,
      codecs: 'avc1.640028,mp4a.40.2',
      frameRate: 30,
    },
  ]);
});

test('a master without #EXTM3U, variants or a valid BANDWIDTH is rejected', () => {
  assert.throws(() => readMasterPlaylist('1920x960/index.m3u8'), PlaylistError);
  assert.throws(() => readMasterPlaylist('#EXTM3U\n#EXT-X-VERSION:7\n'), /no variant streams/);
  assert.throws(() => readMasterPlaylist(variant('BANDWIDTH=abc')), /BANDWIDTH=abc/);
});

test('every numeric attribute of a variant is checked for form and range, and the error names it', () => {
  const bad: [string, RegExp][] = [
    ['BANDWIDTH=1000,FRAME-RATE=abc', /FRAME-RATE=abc/],
    ['BANDWIDTH=1000,FRAME-RATE=1e400', /FRAME-RATE=1e400/],
    ['BANDWIDTH=1000,FRAME-RATE=Infinity', /FRAME-RATE=Infinity/],
    ['BANDWIDTH=1000,FRAME-RATE=0', /FRAME-RATE=0/],
    ['BANDWIDTH=1000,FRAME-RATE=-30', /FRAME-RATE=-30/],
    ['BANDWIDTH=1000,FRAME-RATE=100000.0', /FRAME-RATE/],
    ['BANDWIDTH=99999999999', /BANDWIDTH=99999999999/],
    ['BANDWIDTH=0', /BANDWIDTH=0/],
    ['BANDWIDTH=1e6', /BANDWIDTH=1e6/],
    ['BANDWIDTH=1000,AVERAGE-BANDWIDTH=NaN', /AVERAGE-BANDWIDTH=NaN/],
    ['BANDWIDTH=1000,RESOLUTION=0x960', /RESOLUTION=0x960/],
    ['BANDWIDTH=1000,RESOLUTION=99999x2', /RESOLUTION/],
    ['BANDWIDTH=1000,RESOLUTION=big', /RESOLUTION=big/],
    ['BANDWIDTH=1000,CODECS=avc1', /CODECS/],
    ['BANDWIDTH=1000,CODECS="<script>"', /CODECS/],
    ['BANDWIDTH=1000,BANDWIDTH=2000', /BANDWIDTH appears twice/],
    ['BANDWIDTH=1000,,', /malformed/],
  ];
  for (const [attributes, message] of bad) {
    assert.throws(() => readMasterPlaylist(variant(attributes)), message, attributes);
  }
  assert.throws(() => readMasterPlaylist(`${variant('BANDWIDTH=1000')}\0`), /control characters/);
});

test('absolute URIs and URIs leaving the ladder are refused wherever a master names them', () => {
  const cases = [
    variant('BANDWIDTH=1000', 'https://evil.example/v.m3u8'),
    variant('BANDWIDTH=1000', '//evil.example/v.m3u8'),
    variant('BANDWIDTH=1000', '../../other/v.m3u8'),
    `#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1000,URI="https://evil.example/i.m3u8"\n${variant('BANDWIDTH=1000').slice(8)}`,
    `#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="a",URI="http://evil.example/a.m3u8"\n${variant('BANDWIDTH=1000').slice(8)}`,
    `#EXTM3U\n#EXT-X-SESSION-KEY:METHOD=AES-128,URI="https://keys.example/k"\n${variant('BANDWIDTH=1000').slice(8)}`,
    `#EXTM3U\n#EXT-X-SESSION-DATA:DATA-ID="x",URI="/etc/passwd"\n${variant('BANDWIDTH=1000').slice(8)}`,
    `#EXTM3U\n#EXT-X-CONTENT-STEERING:SERVER-URI="https://steer.example/"\n${variant('BANDWIDTH=1000').slice(8)}`,
  ];
  for (const text of cases) assert.throws(() => readMasterPlaylist(text), /only relative URIs|outside the ladder/, text);
});

test('a master with more variants than the limit is refused before anything else is read', () => {
  const lines = ['#EXTM3U'];
  for (let i = 0; i <= PUBLISH_LIMITS.variants; i += 1) lines.push('#EXT-X-STREAM-INF:BANDWIDTH=1000', 'v.m3u8');
  assert.throws(() => readMasterPlaylist(lines.join('\n')), /more than 32 variant streams/);
});

test('variants naming one playlist yield it once', () => {
  const lines = ['#EXTM3U'];
  for (let i = 0; i < 10; i += 1) lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${1000 + i}`, 'v.m3u8');
  const master = readMasterPlaylist(lines.join('\n'));
  assert.equal(master.variants.length, 10);
  assert.deepEqual(master.playlists, ['v.m3u8']);
});

const MEDIA = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.0,\nseg_00001.m4s\n#EXTINF:2.0,\nseg_00002.m4s\n#EXT-X-ENDLIST\n';

test('a media playlist names its init segment and segments, once each', async () => {
  const playlist = await readMediaPlaylist(`${MEDIA}`.replace('#EXT-X-ENDLIST', '#EXTINF:2.0,\nseg_00001.m4s\n#EXT-X-ENDLIST'), 'r/index.m3u8');
  assert.deepEqual([...playlist.files], ['r/init.mp4', 'r/seg_00001.m4s', 'r/seg_00002.m4s']);
  assert.equal(playlist.segments, 3);
  await assert.rejects(readMediaPlaylist(MEDIA.replace('#EXT-X-ENDLIST\n', ''), 'r/index.m3u8'), /#EXT-X-ENDLIST/);
});

test('a media playlist refuses absolute or escaping URIs in EXT-X-KEY, EXT-X-MAP and segments, and bad durations', async () => {
  const bad: [string, RegExp][] = [
    [MEDIA.replace('init.mp4', 'https://cdn.example/init.mp4'), /only relative URIs/],
    [MEDIA.replace('seg_00002.m4s', 'https://cdn.example/seg.m4s'), /only relative URIs/],
    [MEDIA.replace('seg_00002.m4s', '../../../etc/passwd'), /outside the ladder/],
    [MEDIA.replace('#EXT-X-MAP', '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k"\n#EXT-X-MAP'), /only relative URIs/],
    [MEDIA.replace('#EXT-X-MAP', '#EXT-X-KEY:METHOD=AES-128,URI="data:text/plain,abc"\n#EXT-X-MAP'), /only relative URIs/],
    [MEDIA.replace('#EXT-X-MAP', '#EXT-X-KEY:METHOD=AES-128\n#EXT-X-MAP'), /URI is required/],
    [MEDIA.replace('#EXTINF:2.0,', '#EXTINF:1e400,'), /EXTINF.*1e400/],
    [MEDIA.replace('#EXTINF:2.0,', '#EXTINF:NaN,'), /EXTINF.*NaN/],
    [MEDIA.replace('#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:abc'), /TARGETDURATION:abc/],
    [MEDIA.replace('seg_00002.m4s', 'seg_{$n}.m4s'), /variable substitution/],
    [MEDIA.replace('#EXT-X-MAP', '#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-MAP'), /belongs in the master/],
  ];
  for (const [text, message] of bad) await assert.rejects(readMediaPlaylist(text, 'r/index.m3u8'), message, text);
  const keyed = await readMediaPlaylist(MEDIA.replace('#EXT-X-MAP', '#EXT-X-KEY:METHOD=AES-128,URI="../keys/k1.key"\n#EXT-X-MAP'), 'r/index.m3u8');
  assert.ok(keyed.files.has('keys/k1.key'));
});

test('a media playlist with more segment lines than the limit is refused', async () => {
  const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2'];
  for (let i = 0; i <= PUBLISH_LIMITS.segmentsPerPlaylist; i += 1) lines.push('#EXTINF:2.0,', 'seg.m4s');
  lines.push('#EXT-X-ENDLIST');
  await assert.rejects(readMediaPlaylist(lines.join('\n'), 'index.m3u8'), /more than 20,000 segments/);
});

test('playlist URIs must stay inside the ladder', () => {
  assert.equal(resolvePlaylistUri('1920x960/index.m3u8', 'seg_1.m4s'), '1920x960/seg_1.m4s');
  assert.equal(resolvePlaylistUri('a/b.m3u8', '../audio/x.m4s'), 'audio/x.m4s');
  assert.throws(() => resolvePlaylistUri('master.m3u8', '../../etc/passwd'), /outside the ladder/);
  assert.throws(() => resolvePlaylistUri('master.m3u8', 'https://evil.example/seg.m4s'), /only relative URIs/);
  assert.throws(() => resolvePlaylistUri('master.m3u8', '/abs.m3u8'), /only relative URIs/);
  assert.throws(() => resolvePlaylistUri('master.m3u8', '.hidden/x.m4s'), /not a valid media path/);
});
