/**
 * A strict WebVTT reader (W3C WebVTT: The Web Video Text Tracks Format, §4 syntax): the signature,
 * header, NOTE/STYLE/REGION blocks and cues with their timings. It accepts what a browser's parser
 * accepts as a cue and refuses what it would silently drop, so a creator learns about a broken file
 * when uploading it rather than when a viewer sees no captions. Browser-safe (no Node imports).
 */

export interface WebVttCue {
  id: string | null;
  startSeconds: number;
  endSeconds: number;
  /** Cue settings as written (e.g. `line:85% align:center`). */
  settings: string;
  text: string;
}

export class WebVttError extends Error {
  override name = 'WebVttError';
  constructor(
    message: string,
    /** 1-based line of the problem, when there is one. */
    readonly line: number | null = null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
  }
}

/** Most cues one file may have (a three-hour film with dense dialogue has about 3,000). */
export const WEBVTT_MAX_CUES = 20_000;
/** Longest cue text (characters); a cue is a line or two on screen. */
export const WEBVTT_MAX_CUE_CHARS = 2000;

// §4.1: hours (2+ digits, optional), minutes and seconds 00-59, exactly three decimals.
const TIMESTAMP = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const ARROW = '-->';
// Control characters other than tab, LF and CR have no place in a text track (NUL breaks parsers).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function timestamp(text: string, line: number): number {
  const match = TIMESTAMP.exec(text);
  if (!match) {
    throw new WebVttError(`"${text.slice(0, 20)}" is not a WebVTT timestamp; write [hh:]mm:ss.ttt, like 00:01.500 or 01:02:03.250.`, line);
  }
  const [, hours, minutes, seconds, millis] = match;
  return Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(millis) / 1000;
}

/** Parses a timing line (`start --> end [settings]`). */
function timingLine(text: string, line: number): { startSeconds: number; endSeconds: number; settings: string } {
  const arrow = text.indexOf(ARROW);
  const start = text.slice(0, arrow).trim();
  const rest = text.slice(arrow + ARROW.length);
  // The spec requires whitespace around the arrow, and after the end timestamp before settings.
  if (!/[ \t]$/.test(text.slice(0, arrow)) || !/^[ \t]/.test(rest)) {
    throw new WebVttError('the cue timing needs a space on each side of "-->".', line);
  }
  const [end = '', ...settings] = rest.trim().split(/[ \t]+/);
  const startSeconds = timestamp(start, line);
  const endSeconds = timestamp(end, line);
  if (endSeconds <= startSeconds) throw new WebVttError(`the cue ends (${end}) before or when it starts (${start}).`, line);
  for (const setting of settings) {
    if (!/^(vertical|line|position|size|align|region):\S+$/.test(setting)) {
      throw new WebVttError(`"${setting.slice(0, 30)}" is not a cue setting (vertical, line, position, size, align or region).`, line);
    }
  }
  return { startSeconds, endSeconds, settings: settings.join(' ') };
}

/**
 * Reads a WebVTT file and returns its cues, in file order. Throws WebVttError naming the line and
 * what to fix. A file with no cues is valid WebVTT but useless as captions: refused.
 */
export function parseWebVtt(input: string): WebVttCue[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  if (CONTROL_CHARACTER.test(text)) throw new WebVttError('the file contains control characters (such as NUL); save it as UTF-8 text.');
  const lines = text.split(/\r\n|\r|\n/);
  if (!/^WEBVTT([ \t].*)?$/.test(lines[0] ?? '')) {
    throw new WebVttError('a WebVTT file starts with the line "WEBVTT" (an .srt file must be converted first).', 1);
  }
  const cues: WebVttCue[] = [];
  let index = 1;
  // Header: lines up to the first blank line; a cue timing there means the blank line is missing.
  while (index < lines.length && lines[index] !== '') {
    if (lines[index]!.includes(ARROW)) throw new WebVttError('a blank line must separate the "WEBVTT" header from the first cue.', index + 1);
    index += 1;
  }
  let seenCue = false;
  while (index < lines.length) {
    if (lines[index] === '') {
      index += 1;
      continue;
    }
    const first = index;
    const block: string[] = [];
    while (index < lines.length && lines[index] !== '') block.push(lines[index++]!);
    const head = block[0]!;
    if (/^NOTE($|[ \t])/.test(head)) {
      if (block.some((line) => line.includes(ARROW))) throw new WebVttError('a NOTE block cannot contain "-->".', first + 1);
      continue;
    }
    if (/^(STYLE|REGION)[ \t]*$/.test(head) && !block.slice(1).some((line) => line.includes(ARROW))) {
      if (seenCue) throw new WebVttError(`${head.trim()} blocks must come before the first cue.`, first + 1);
      continue;
    }
    // A cue: an optional identifier line, then the timing line, then the payload.
    let timingAt = 0;
    let id: string | null = null;
    if (!head.includes(ARROW)) {
      id = head;
      timingAt = 1;
    }
    const timing = block[timingAt];
    if (timing === undefined || !timing.includes(ARROW)) {
      throw new WebVttError(
        `expected a cue timing line ("00:00.000 --> 00:02.000") ${id === null ? 'here' : `after the cue identifier "${id.slice(0, 30)}"`}.`,
        first + 1,
      );
    }
    const payload = block.slice(timingAt + 1);
    const bad = payload.findIndex((line) => line.includes(ARROW));
    if (bad >= 0) throw new WebVttError('cue text cannot contain "-->"; is a blank line missing before this cue?', first + timingAt + 2 + bad);
    const cueText = payload.join('\n');
    if (cueText.length > WEBVTT_MAX_CUE_CHARS) throw new WebVttError(`the cue text is longer than ${WEBVTT_MAX_CUE_CHARS} characters.`, first + 1);
    cues.push({ id, ...timingLine(timing, first + timingAt + 1), text: cueText });
    seenCue = true;
    if (cues.length > WEBVTT_MAX_CUES) throw new WebVttError(`the file has more than ${WEBVTT_MAX_CUES.toLocaleString('en')} cues.`);
  }
  if (cues.length === 0) throw new WebVttError('the file has no cues; add at least one ("00:00.000 --> 00:02.000" and a line of text).');
  return cues;
}
