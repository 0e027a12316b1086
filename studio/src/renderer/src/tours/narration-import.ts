// Narration imported into the tour editor from a file: its text, for the narration caption.
/** Narration text from an imported file: a plain text file as it is, a WebVTT file without its header and timings. */
export function narrationTextFromFile(name: string, text: string): string {
  if (!/\.vtt$/i.test(name) && !text.startsWith('WEBVTT')) return text.trim();
  return text
    .split(/\r?\n\r?\n/)
    .slice(1)
    .map((cue) =>
      cue
        .split(/\r?\n/)
        .filter((line) => !line.includes('-->') && !/^\d+$/.test(line.trim()) && !/^NOTE\b/.test(line))
        .join(' ')
        .trim(),
    )
    .filter(Boolean)
    .join(' ');
}
