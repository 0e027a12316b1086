// An RTMP encoder as a creator's OBS is one, made of ffmpeg: a test pattern and a tone, in real time.

/**
 * ffmpeg arguments (after any global options) that publish `seconds` of a `size` test pattern at 15 fps
 * (H.264, a keyframe every second) and a 440 Hz tone (AAC) to `rtmpUrl` as FLV, at the pace of a live source.
 */
export function rtmpTestBroadcastArgs(rtmpUrl: string, options: { seconds: number; size: string }): string[] {
  const seconds = String(options.seconds);
  return [
    '-re',
    '-f',
    'lavfi',
    '-t',
    seconds,
    '-i',
    `testsrc2=size=${options.size}:rate=15`,
    '-f',
    'lavfi',
    '-t',
    seconds,
    '-i',
    'sine=frequency=440',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '15',
    '-c:a',
    'aac',
    '-f',
    'flv',
    rtmpUrl,
  ];
}
