import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { captionLanguageSchema, captionLabelSchema } from './captions.ts';
import { parseWebVtt, WebVttError } from './webvtt.ts';

describe('WebVTT reader', () => {
  test('reads what browsers read: BOM, CRLF, header text, NOTE/STYLE/REGION blocks, identifiers, hours, settings, markup', () => {
    const text = [
      '\uFEFFWEBVTT - a film',
      'Kind: captions',
      '',
      'STYLE',
      '::cue { color: yellow }',
      '',
      'REGION',
      'id:r1 width:40%',
      '',
      'NOTE a comment',
      'on two lines',
      '',
      'intro',
      '00:00.000 --> 00:01.250 align:center line:85%',
      '<v Ana>Hello</v> &amp; welcome',
      '',
      '01:02:03.004 --> 01:02:04.000',
      'Late',
      'two lines',
      '',
    ].join('\r\n');
    assert.deepEqual(parseWebVtt(text), [
      { id: 'intro', startSeconds: 0, endSeconds: 1.25, settings: 'align:center line:85%', text: '<v Ana>Hello</v> &amp; welcome' },
      { id: null, startSeconds: 3723.004, endSeconds: 3724, settings: '', text: 'Late\ntwo lines' },
    ]);
  });

  test('refuses what a browser would drop, naming the line', () => {
    const cases: [string, RegExp][] = [
      ['WEBVTTX\n\n00:00.000 --> 00:01.000\na\n', /line 1: .*starts with the line "WEBVTT"/],
      ['WEBVTT\n00:00.000 --> 00:01.000\na\n', /line 2: a blank line must separate/],
      ['WEBVTT\n\n00:00.000-->00:01.000\na\n', /line 3: .*space on each side/],
      ['WEBVTT\n\n0:00.000 --> 00:01.000\na\n', /line 3: .*not a WebVTT timestamp/],
      ['WEBVTT\n\n00:00.00 --> 00:01.000\na\n', /not a WebVTT timestamp/],
      ['WEBVTT\n\n00:00.000 --> 00:01.000 colour:red\na\n', /"colour:red" is not a cue setting/],
      ['WEBVTT\n\nid only\nno timing\n', /line 3: expected a cue timing line .* after the cue identifier "id only"/],
      ['WEBVTT\n\n00:00.000 --> 00:01.000\na\n\nSTYLE\n::cue {}\n', /STYLE blocks must come before the first cue/],
      ['WEBVTT\n\nNOTE a --> b\n', /NOTE block cannot contain "-->"/],
      ['WEBVTT\n', /no cues/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseWebVtt(text),
        (error: unknown) => error instanceof WebVttError && message.test(error.message),
        text,
      );
    }
  });

  test('language tags are checked as BCP 47 and canonicalised; labels fit an HLS NAME', () => {
    assert.equal(captionLanguageSchema.parse('EN-us'), 'en-US');
    assert.equal(captionLanguageSchema.parse('zh-hant-tw'), 'zh-Hant-TW');
    assert.equal(captionLanguageSchema.parse('es-419'), 'es-419');
    for (const bad of ['english!', 'en_US', 'e', 'en--us', '../en', 'x'.repeat(36), 'en-US-u'])
      assert.equal(captionLanguageSchema.safeParse(bad).success, false, bad);
    assert.equal(captionLabelSchema.parse('  Français (Canada) '), 'Français (Canada)');
    for (const bad of ['', 'a"b', 'two\nlines', 'x'.repeat(61)]) assert.equal(captionLabelSchema.safeParse(bad).success, false, bad);
  });
});
