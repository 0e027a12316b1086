import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CAPTION_LIMITS } from '@spherecast/shared';
import { parseMasterPlaylist, requiredHlsVersion, writeMasterPlaylist } from '@spherecast/shared/media';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { makeTinyLadder, uploadLadder } from '../../test-support/hls-fixture.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';
import { readMasterPlaylist, readMediaPlaylist } from './playlist.ts';

const ladderDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-captions-'));
const ladderFiles = await makeTinyLadder(ladderDir);
// The studio's own master (standards-exact, version 12 for REQ-VIDEO-LAYOUT), so captions are added to what creators publish.
const studioMaster = writeMasterPlaylist({
  projection: 'equirectangular-mono',
  variants: [
    { uri: '256x128/index.m3u8', bandwidth: 200_000, averageBandwidth: 180_000, width: 256, height: 128, frameRate: 10, codecs: 'avc1.42c00d' },
    { uri: '128x64/index.m3u8', bandwidth: 80_000, averageBandwidth: 70_000, width: 128, height: 64, frameRate: 10, codecs: 'avc1.42c00d' },
  ],
  audio: null,
});
await writeFile(path.join(ladderDir, 'master.m3u8'), studioMaster);

const ENGLISH = 'WEBVTT\n\n1\n00:00.000 --> 00:01.500\nHello from the reef\n\n00:01.500 --> 00:03.000 line:85%\nThe <i>second</i> line\n';
const FRENCH = 'WEBVTT - français\n\nNOTE traduit\n\n00:00.000 --> 00:03.000\nBonjour du récif\n';

const [kind] = await testDatabaseKinds();

describe(`captions (${kind})`, () => {
  let t: TestOrigin;
  let creator: TestUser;
  let stranger: TestUser;

  before(async () => {
    t = await startTestOrigin(kind!);
    creator = await t.user('subtitler');
    stranger = await t.user('passerby');
  });
  after(() => t.close());

  async function publishedVideo(visibility: 'public' | 'private' = 'public') {
    const { id } = await creator.caller.content.create({ title: `Captioned ${visibility}`, tags: ['test'], visibility });
    await uploadLadder(t.url, creator.token, id, ladderDir, ladderFiles);
    await creator.caller.content.finalize({ id, master: 'master.m3u8', durationSeconds: 3 });
    return id;
  }

  const put = (id: string, lang: string, body: unknown, token = creator.token) =>
    t.http('PUT', `/api/content/${id}/captions/${encodeURIComponent(lang)}`, { token, body });

  test('the API refuses what is not a BCP 47 tag, a usable label or real WebVTT, naming the field', async () => {
    const id = await publishedVideo();
    const cases: [string, unknown, RegExp][] = [
      ['english!', { label: 'English', vtt: ENGLISH }, /lang: .*BCP 47/],
      ['e', { label: 'English', vtt: ENGLISH }, /lang/],
      ['en-', { label: 'English', vtt: ENGLISH }, /BCP 47/],
      ['en', { label: 'Say "hi"', vtt: ENGLISH }, /label: .*double quotes/],
      ['en', { label: '', vtt: ENGLISH }, /label/],
      ['en', { label: 'English', vtt: '1\n00:00:01,000 --> 00:00:02,000\nsrt\n' }, /vtt: not valid WebVTT: line 1: .*WEBVTT/],
      ['en', { label: 'English', vtt: 'WEBVTT\n\n00:01.000 --> 00:00.500\nbackwards\n' }, /vtt: .*line 3: the cue ends/],
      ['en', { label: 'English', vtt: 'WEBVTT\n\n00:61.000 --> 00:62.000\nno\n' }, /vtt: .*not a WebVTT timestamp/],
      ['en', { label: 'English', vtt: 'WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n00:02.000 --> 00:03.000\nsecond\n' }, /vtt: .*blank line missing/],
      ['en', { label: 'English', vtt: 'WEBVTT\n\nNOTE only a note\n' }, /vtt: .*no cues/],
      ['en', { label: 'English', vtt: 'WEBVTT\n\n00:00.000 --> 00:01.000\nnul \u0000 here\n' }, /vtt: .*control characters/],
    ];
    for (const [lang, body, message] of cases) {
      const response = await put(id, lang, body);
      assert.equal(response.status, 400, `${lang} ${JSON.stringify(body).slice(0, 60)}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message as string, message);
    }
    const cue = '00:00.000 --> 00:01.000\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\n';
    const huge = `WEBVTT\n\n${cue.repeat(Math.ceil((CAPTION_LIMITS.vttBytes + 1) / cue.length))}`;
    const tooLarge = await put(id, 'en', { label: 'English', vtt: huge });
    assert.equal(tooLarge.status, 400);
    assert.match(tooLarge.body.message as string, /vtt: the WebVTT file is \d+ KiB; the most is 512 KiB/);
    assert.equal((await put(id, 'en', { label: 'English', vtt: ENGLISH }, stranger.token)).status, 403, 'only the creator');
    assert.equal((await put(id, 'en', { label: 'English', vtt: ENGLISH }, '')).status, 401);
    const draft = await creator.caller.content.create({ title: 'Not yet published', tags: ['test'] });
    const unpublished = await put(draft.id, 'en', { label: 'English', vtt: ENGLISH });
    assert.equal(unpublished.status, 409);
    assert.match(unpublished.body.message as string, /Publish .* first/);
    // Nothing changed: no subtitles in the master.
    assert.equal((await t.http('GET', `/api/content/${id}/captions`)).body.tracks.length, 0);
  });

  test('captions become SUBTITLES renditions of the master; the rest of the master is kept byte for byte', async () => {
    const id = await publishedVideo();
    const added = await put(id, 'EN-us', { label: 'English', vtt: ENGLISH });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.tracks, [{ lang: 'en-US', label: 'English', playlist: 'captions/en-US.m3u8' }], 'the tag is canonicalised');
    assert.equal((await put(id, 'fr-CA', { label: 'Français (Canada)', vtt: FRENCH })).status, 200);

    const playback = await t.http('GET', `/api/streaming/${id}`);
    const masterUrl = playback.body.masterUrl as string;
    const master = await (await fetch(masterUrl)).text();

    // Our own parser (the one the studio's master tests use): version unchanged, every variant with SUBTITLES.
    const parsed = parseMasterPlaylist(master);
    assert.equal(parsed.version, 12);
    assert.equal(
      requiredHlsVersion(
        master
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('#EXT-X-VERSION') && l !== '#EXTM3U'),
      ),
      12,
    );
    assert.equal(parsed.variants.length, 2);
    for (const variant of parsed.variants) {
      assert.equal(variant.attributes.SUBTITLES, 'subs');
      assert.equal(variant.attributes['REQ-VIDEO-LAYOUT'], 'CH-MONO/PROJ-EQUI');
    }
    assert.deepEqual(
      parsed.media.map((m) => [m.TYPE, m['GROUP-ID'], m.LANGUAGE, m.NAME, m.URI, m.DEFAULT, m.AUTOSELECT]),
      [
        ['SUBTITLES', 'subs', 'en-US', 'English', 'captions/en-US.m3u8', 'NO', 'YES'],
        ['SUBTITLES', 'subs', 'fr-CA', 'Français (Canada)', 'captions/fr-CA.m3u8', 'NO', 'YES'],
      ],
    );
    assert.deepEqual(parsed.sessionData, parseMasterPlaylist(studioMaster).sessionData);
    // Removing the captions gives back exactly the master the studio wrote.
    const withoutSubtitles = master
      .split('\n')
      .filter((line) => !line.startsWith('#EXT-X-MEDIA:TYPE=SUBTITLES'))
      .map((line) => line.replace(',SUBTITLES="subs"', ''))
      .join('\n');
    assert.equal(withoutSubtitles, studioMaster);

    // The origin's strict reader (RFC 8216bis) accepts it and finds the caption playlists; they are finished VOD playlists naming the .vtt.
    const strict = readMasterPlaylist(master);
    assert.equal(strict.variants.length, 2);
    assert.ok(strict.playlists.includes('captions/en-US.m3u8') && strict.playlists.includes('captions/fr-CA.m3u8'));
    const subtitlesPlaylist = await (await fetch(new URL('captions/en-US.m3u8', masterUrl))).text();
    const media = await readMediaPlaylist(subtitlesPlaylist, 'captions/en-US.m3u8');
    assert.deepEqual([...media.files], ['captions/en-US.vtt']);
    assert.match(subtitlesPlaylist, /#EXTINF:3\.000,/);
    const vtt = await fetch(new URL('captions/en-US.vtt', masterUrl));
    assert.equal(vtt.status, 200);
    assert.match(vtt.headers.get('content-type') ?? '', /^text\/vtt/);
    assert.equal(await vtt.text(), ENGLISH);

    // Replace one language and remove the other.
    const replaced = await put(id, 'en-US', { label: 'English (SDH)', vtt: ENGLISH.replace('Hello', 'Hi') });
    assert.deepEqual(
      replaced.body.tracks.map((track: { label: string }) => track.label),
      ['English (SDH)', 'Français (Canada)'],
    );
    const removed = await t.http('DELETE', `/api/content/${id}/captions/fr-CA`, { token: creator.token });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.tracks, [{ lang: 'en-US', label: 'English (SDH)', playlist: 'captions/en-US.m3u8' }]);
    const latest = await t.http('GET', `/api/streaming/${id}`);
    const latestMaster = await (await fetch(latest.body.masterUrl as string)).text();
    assert.equal(parseMasterPlaylist(latestMaster).media.length, 1);
    assert.match(await (await fetch(new URL('captions/en-US.vtt', latest.body.masterUrl as string))).text(), /Hi from the reef/);
    assert.equal((await t.http('DELETE', `/api/content/${id}/captions/de`, { token: creator.token })).status, 404);
    // Each change is a new version; the one a viewer may still be streaming stays, older ones go.
    const versions = await readdir(path.join(t.origin.config.mediaDir, 'published', id));
    assert.equal(versions.length, 2);
    assert.equal(
      versions.some((v) => latest.body.masterUrl.includes(v)),
      true,
    );
    // The old master a viewer started with still plays its variants (it was never edited in place).
    assert.equal((await fetch(new URL('256x128/index.m3u8', latest.body.masterUrl as string))).status, 200);
  });

  test("private content's captions are served only under its signed media URLs", async () => {
    const id = await publishedVideo('private');
    assert.equal((await put(id, 'de', { label: 'Deutsch', vtt: ENGLISH })).status, 200);
    const playback = await t.http('GET', `/api/streaming/${id}`, { token: creator.token });
    const masterUrl = playback.body.masterUrl as string;
    assert.match(masterUrl, /\/media\/~/);
    const signed = await fetch(new URL('captions/de.vtt', masterUrl));
    assert.equal(signed.status, 200);
    assert.equal(signed.headers.get('cache-control'), 'private, max-age=2, must-revalidate');
    const unsigned = new URL('captions/de.vtt', masterUrl).href.replace(/\/media\/~[^/]+\//, '/media/');
    assert.equal((await fetch(unsigned)).status, 403);
    assert.equal((await t.http('GET', `/api/content/${id}/captions`, { token: stranger.token })).status, 404, 'others do not learn it exists');
  });
});
