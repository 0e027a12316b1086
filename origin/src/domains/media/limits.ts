/**
 * Bounds on what one finalize may read and check, so its work (and memory) has a ceiling whatever a
 * creator uploads. Sized for real ladders with room to spare: our transcoder writes 3 to 6 rungs plus
 * one audio rendition; a 10-hour 360 video at 2 s segments has 18,000 segments per playlist.
 * With every limit reached at once a finalize reads 8 MiB of playlists and checks 30,000 names, which
 * takes well under 2 s (bench/RESULTS.md, section finalize).
 */
export const PUBLISH_LIMITS = {
  /** Largest master playlist. */
  masterPlaylistBytes: 256 * 1024,
  /** Largest media playlist (variant, audio, I-frame). */
  mediaPlaylistBytes: 1024 * 1024,
  /** All playlists of one ladder together. */
  totalPlaylistBytes: 8 * 1024 * 1024,
  /** #EXT-X-STREAM-INF variants in the master. */
  variants: 32,
  /** #EXT-X-MEDIA renditions in the master. */
  renditions: 32,
  /** #EXT-X-I-FRAME-STREAM-INF streams in the master. */
  iFrameStreams: 32,
  /** Segment lines in one media playlist (repeats included). */
  segmentsPerPlaylist: 20_000,
  /** Files of one content: what its playlists name, and what may be staged for it. */
  filesPerContent: 30_000,
  /** Missing files named in a finalize error (the rest are counted). */
  missingExamples: 5,
} as const;

/** Files published beside the master although no playlist names them (the studio's thumbnail sprite and its indexes). */
export const THUMBNAIL_FILES = ['thumbnails.jpg', 'thumbnails.vtt', 'thumbnails.json'] as const;
