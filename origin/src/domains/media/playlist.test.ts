import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mediaPlaylistFiles, PlaylistError, readMasterPlaylist, resolvePlaylistUri } from './playlist.ts';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=4188099,AVERAGE-BANDWIDTH=4003034,RESOLUTION=1920x960,FRAME-RATE=30.000,CODECS="avc1.640028,mp4a.40.2",AUDIO="audio"
1920x960/index.m3u8
`;

test('a master playlist yields its variants and the playlists of its alternative renditions (audio)', () => {
  const master = readMasterPlaylist(MASTER);
  assert.deepEqual(master.renditionPlaylists, ['audio/index.m3u8']);
  assert.deepEqual(master.variants, [
    { uri: '1920x960/index.m3u8', bandwidth: 4188099, averageBandwidth: 4003034, width: 1920, height: 960, codecs: 'avc1.640028,mp4a.40.2', frameRate: 30 },
  ]);
});

test('a master without #EXTM3U, variants or a valid BANDWIDTH is rejected', () => {
  assert.throws(() => readMasterPlaylist('1920x960/index.m3u8'), PlaylistError);
  assert.throws(() => readMasterPlaylist('#EXTM3U\n#EXT-X-VERSION:7\n'), /no variant streams/);
  assert.throws(() => readMasterPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=abc\nv.m3u8\n'), /BANDWIDTH/);
});

test('a media playlist names its init segment and segments, and whether it ended', () => {
  const text = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.0,\nseg_00001.m4s\n#EXTINF:2.0,\nseg_00002.m4s\n#EXT-X-ENDLIST\n';
  assert.deepEqual(mediaPlaylistFiles(text), { files: ['init.mp4', 'seg_00001.m4s', 'seg_00002.m4s'], ended: true });
  assert.equal(mediaPlaylistFiles(text.replace('#EXT-X-ENDLIST\n', '')).ended, false);
});

test('playlist URIs must stay inside the ladder', () => {
  assert.equal(resolvePlaylistUri('1920x960/index.m3u8', 'seg_1.m4s'), '1920x960/seg_1.m4s');
  assert.equal(resolvePlaylistUri('a/b.m3u8', '../audio/x.m4s'), 'audio/x.m4s');
  assert.throws(() => resolvePlaylistUri('master.m3u8', '../../etc/passwd'), /outside the ladder/);
  assert.throws(() => resolvePlaylistUri('master.m3u8', 'https://evil.example/seg.m4s'), /only relative URIs/);
  assert.throws(() => resolvePlaylistUri('master.m3u8', '/abs.m3u8'), /only relative URIs/);
});
