import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { projectionSchema } from '@spherecast/shared';
import { LIVE_SEGMENT_SECONDS } from '@spherecast/shared/media';

/** A usage mistake: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly command?: CommandName,
  ) {
    super(message);
  }
}

export const COMMANDS = ['probe', 'check', 'transcode', 'publish', 'live'] as const;
export type CommandName = (typeof COMMANDS)[number];

type Options = NonNullable<ParseArgsConfig['options']>;

const common = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be above 0`);

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const file = z.string({ error: 'FILE is missing' }).min(1, 'FILE is missing');

export const COMMAND_SPECS = {
  probe: {
    usage: 'probe FILE [--json]',
    summary: 'Show duration, streams, codecs, resolution, frame rate and the 360° projection of a file.',
    options: { ...common } as const satisfies Options,
    help: '',
    schema: z.object({ file, json: z.boolean().default(false) }),
  },
  check: {
    usage: 'check FILE [--json] [--samples N] [--pictures DIR]',
    summary: 'Check stitching (seam at the 0/360° wrap, exposure, colour, alignment, poles) and headset format limits.',
    options: { ...common, samples: { type: 'string' }, pictures: { type: 'string' } } as const satisfies Options,
    help: `  --samples N      frames sampled across the clip (default 8)
  --pictures DIR   write PNGs of the seam and the poles to DIR`,
    schema: z.object({
      file,
      json: z.boolean().default(false),
      samples: positiveInt('--samples').max(64, '--samples must be 64 or less').default(8),
      pictures: z.string().min(1).optional(),
    }),
  },
  transcode: {
    usage: 'transcode FILE --out DIR [--segment SECONDS] [--widths W,W] [--preset P] [--projection P] [--mp4] [--overwrite] [--json]',
    summary: 'Encode the HLS ladder (DIR/master.m3u8) in one ffmpeg process; a 360° photo becomes JPEG rungs.',
    options: {
      ...common,
      out: { type: 'string', short: 'o' },
      segment: { type: 'string' },
      widths: { type: 'string' },
      preset: { type: 'string' },
      projection: { type: 'string' },
      mp4: { type: 'boolean' },
      overwrite: { type: 'boolean' },
    } as const satisfies Options,
    help: `  --out DIR        output folder (required); written atomically
  --segment S      segment duration in seconds (default 4)
  --widths W,W     per-eye widths of the rungs (default 5760,3840,2560,1920,1280; never above the source)
  --preset P       x264/x265 preset (default veryfast)
  --projection P   equirectangular-mono | stereo-top-bottom | stereo-left-right (default: probed)
  --mp4            also write DIR/download.mp4 with spherical metadata
  --overwrite      replace a non-empty DIR`,
    schema: z.object({
      file,
      json: z.boolean().default(false),
      out: z.string({ error: '--out DIR is required' }).min(1, '--out DIR is required'),
      segment: z.coerce
        .number({ error: '--segment must be a number' })
        .min(0.5, '--segment must be at least 0.5')
        .max(30, '--segment must be 30 or less')
        .optional(),
      widths: list
        .pipe(z.array(z.string().regex(/^\d+$/, '--widths must be whole numbers like 3840,1920').transform(Number)).min(1, '--widths needs at least one width'))
        .pipe(z.array(z.number().min(64, '--widths must be at least 64')))
        .optional(),
      preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']).optional(),
      projection: projectionSchema.optional(),
      mp4: z.boolean().default(false),
      overwrite: z.boolean().default(false),
    }),
  },
  publish: {
    usage: 'publish PATH --origin URL (--token T | --login L [--password P]) --title T [options] [--json]',
    summary: 'Upload a transcode output folder (or transcode a file first) to the origin and finalize it.',
    options: {
      ...common,
      origin: { type: 'string' },
      token: { type: 'string' },
      login: { type: 'string' },
      password: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      tags: { type: 'string' },
      genre: { type: 'string' },
      visibility: { type: 'string' },
      'content-id': { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string', short: 'o' },
    } as const satisfies Options,
    help: `  PATH             a transcode output folder, or a video/photo file (transcoded first)
  --origin URL     origin base URL (or SPHERECAST_ORIGIN)
  --token T        bearer token (or SPHERECAST_TOKEN)
  --login L        username or email, with --password or SPHERECAST_PASSWORD
  --title T        content title (required unless --content-id)
  --description D, --tags a,b, --genre G, --visibility public|unlisted|private
  --content-id ID  resume an earlier upload into existing content (skips files already there)
  --concurrency N  parallel uploads (default 4)
  --out DIR        where to transcode PATH when it is a file (default: a temporary folder)`,
    schema: z
      .object({
        file,
        json: z.boolean().default(false),
        origin: z.url({ error: '--origin must be a URL like https://spherecast.example.org' }),
        token: z.string().min(1).optional(),
        login: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        title: z.string().min(1).optional(),
        description: z.string().optional(),
        tags: list.optional(),
        genre: z.string().optional(),
        visibility: z.enum(['public', 'unlisted', 'private']).optional(),
        'content-id': z.string().min(1).optional(),
        concurrency: positiveInt('--concurrency').max(32).default(4),
        out: z.string().min(1).optional(),
      })
      .refine((o) => o.token || (o.login && o.password), { message: 'give --token (or SPHERECAST_TOKEN), or --login with --password (or SPHERECAST_PASSWORD)' })
      .refine((o) => o.title || o['content-id'], { message: '--title is required' }),
  },
  live: {
    usage: 'live --origin URL (--key KEY --channel ID | --token T | --login L) [--source test|FILE|DEVICE] [--duration SECONDS] [--json]',
    summary: 'Go live: encode the test pattern, a looped file or a capture device in real time and push it to the origin.',
    options: {
      ...common,
      source: { type: 'string' },
      origin: { type: 'string' },
      key: { type: 'string' },
      channel: { type: 'string' },
      token: { type: 'string' },
      login: { type: 'string' },
      password: { type: 'string' },
      title: { type: 'string' },
      duration: { type: 'string' },
      widths: { type: 'string' },
      preset: { type: 'string' },
      segment: { type: 'string' },
      size: { type: 'string' },
      fps: { type: 'string' },
      spool: { type: 'string' },
      'list-devices': { type: 'boolean' },
    } as const satisfies Options,
    help: `  --source S       test (the 360 test pattern with the UTC clock burned in; default), a video FILE
                   looped, or a capture DEVICE (/dev/videoN, or device:ID from --list-devices)
  --origin URL     origin base URL (or SPHERECAST_ORIGIN)
  --key KEY        the channel's stream key, with --channel ID (ending then needs --token or --login)
  --token T        the creator's bearer token (or SPHERECAST_TOKEN): opens a channel unless --key is given
  --login L        sign in as L with --password or SPHERECAST_PASSWORD, then as --token
  --title T        title of a channel opened here (default "Live from <this computer>")
  --duration S     end cleanly after S seconds of source (default: until Ctrl-C)
  --widths W,W     per-eye widths to try (default 5760,3840,2560,1920,1280); the trial keeps what runs in real time
  --segment S      segment duration, 1 to 2 seconds (default ${LIVE_SEGMENT_SECONDS.default})
  --preset P       x264 preset (default veryfast)
  --size W, --fps N  width and frame rate of the test pattern (default 1920, 30)
  --spool DIR      where segments wait until the origin has them (default: <temp>/spherecast-live/<channel>);
                   going live again on the same channel (--key, --channel) within the origin's grace period
                   delivers what an interrupted broadcast left there, oldest first
  --list-devices   list capture devices and exit
  Ctrl-C ends the broadcast cleanly (exit 130); press it twice to quit at once.`,
    schema: z
      .object({
        json: z.boolean().default(false),
        source: z.string().min(1, '--source is test, a FILE or a DEVICE').default('test'),
        origin: z.url({ error: '--origin must be a URL like https://spherecast.example.org' }).optional(),
        key: z.string().min(1).optional(),
        channel: z.string().min(1).optional(),
        token: z.string().min(1).optional(),
        login: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        title: z.string().min(1).max(200).optional(),
        duration: z.coerce
          .number({ error: '--duration must be a number of seconds' })
          .positive('--duration must be above 0')
          .max(7 * 24 * 3600)
          .optional(),
        widths: list
          .pipe(
            z.array(z.string().regex(/^\d+$/, '--widths must be whole numbers like 1920,1280').transform(Number)).min(1, '--widths needs at least one width'),
          )
          .pipe(z.array(z.number().min(64, '--widths must be at least 64')))
          .optional(),
        segment: z.coerce
          .number({ error: '--segment must be a number' })
          .min(1, '--segment must be 1 to 2 seconds')
          .max(2, '--segment must be 1 to 2 seconds')
          .optional(),
        preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).optional(),
        size: positiveInt('--size').min(128, '--size must be at least 128').max(7680, '--size must be 7680 or less').optional(),
        fps: positiveInt('--fps').max(60, '--fps must be 60 or less').optional(),
        spool: z.string().min(1, '--spool needs a folder').optional(),
        'list-devices': z.boolean().default(false),
      })
      .refine((o) => o['list-devices'] || o.origin, { message: '--origin URL is required (or SPHERECAST_ORIGIN)' })
      .refine((o) => o['list-devices'] || o.key || o.token || (o.login && o.password), {
        message: 'give --key KEY with --channel ID, or --token (or SPHERECAST_TOKEN), or --login with --password (or SPHERECAST_PASSWORD)',
      })
      .refine((o) => !o.key || o.channel, { message: '--key needs --channel ID (the channel the key opens)' }),
  },
} as const;

export type CommandArgs<C extends CommandName> = z.output<(typeof COMMAND_SPECS)[C]['schema']>;

export type ParsedCommand = { [C in CommandName]: { command: C; args: CommandArgs<C> } }[CommandName];

export type ParseResult = { kind: 'help'; command?: CommandName } | { kind: 'version' } | ({ kind: 'run' } & ParsedCommand);

/** Parses argv (without node and script) into a command and its validated options. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParseResult {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    return topic && (COMMANDS as readonly string[]).includes(topic) ? { kind: 'help', command: topic as CommandName } : { kind: 'help' };
  }
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command "${first}" (expected one of: ${COMMANDS.join(', ')})`);
  }
  const command = first as CommandName;
  const spec = COMMAND_SPECS[command];
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    // Widened to Options so parseArgs types `values` as one record, not a union over every command.
    const options: Options = spec.options;
    parsed = parseArgs({ args: attachDashValues(rest, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), command);
  }
  if (parsed.values.help) return { kind: 'help', command };
  if (parsed.positionals.length > 1) throw new UsageError(`expected one FILE, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`, command);
  const raw: Record<string, unknown> = { ...parsed.values, file: parsed.positionals[0] };
  if (command === 'publish' || command === 'live') {
    raw.origin ??= env.SPHERECAST_ORIGIN;
    raw.token ??= raw.login ? undefined : env.SPHERECAST_TOKEN;
    raw.password ??= env.SPHERECAST_PASSWORD;
  }
  const result = spec.schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 && !issue.message.includes('--') && issue.path[0] !== 'file' ? `--${String(issue.path[0])}: ` : '';
    throw new UsageError(`${where}${issue.message}`, command);
  }
  return { kind: 'run', command, args: result.data } as ParseResult;
}

export function helpText(command?: CommandName): string {
  if (command) {
    const spec = COMMAND_SPECS[command];
    return `Usage: spherecast-studio ${spec.usage}\n\n${spec.summary}\n${spec.help ? `\nOptions:\n${spec.help}\n` : ''}  --json           print the result as JSON on stdout\n  -h, --help       show this help\n`;
  }
  const lines = COMMANDS.map((c) => `  ${c.padEnd(10)} ${COMMAND_SPECS[c].summary}`);
  return `Usage: spherecast-studio COMMAND FILE [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`spherecast-studio COMMAND --help\` for a command's options.\nffmpeg is taken from FFMPEG_PATH/FFPROBE_PATH, ffmpeg-static, or PATH.\n`;
}

/**
 * Tokens, keys and passwords are random and may start with "-", which node's parseArgs refuses as an
 * ambiguous option argument (`--token -abc`). The value of an option that takes one is attached with
 * "=" first (`--token=-abc`), so such a secret works however it was typed.
 */
function attachDashValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && next.startsWith('-') && next !== '--') {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}
