/**
 * Spherecast's media engine (Node only): probe, stitch check, ladder transcode and 360° photos
 * (publishing to the origin is `@spherecast/origin/publish`). Every ffmpeg/ffprobe process goes
 * through ffmpeg-process.ts.
 */
export { MEDIA_ERROR, MediaError, isMediaError, toMediaError, type MediaErrorCode } from './errors.ts';
export { MediaJob, runJob, type MediaJobEvents } from './media-job.ts';
export { resolveFfmpeg, resolveFfprobe, type ResolvedBinary } from './ffmpeg-binary.ts';
export { runFfmpeg, runFfprobe, ProgressParser, type FfmpegProgress, type FfmpegResult, type RunFfmpegOptions } from './ffmpeg-process.ts';
export {
  probeMedia,
  buildProbeResult,
  detectProjection,
  probeResultSchema,
  projectionInfoSchema,
  videoStreamSchema,
  audioStreamSchema,
  probeStreamSchema,
  type ProbeResult,
  type ProjectionInfo,
  type VideoStreamInfo,
  type AudioStreamInfo,
} from './probe.ts';
export {
  FIXTURE_FAULTS,
  FIXTURE_CONTENTS,
  generateEquirectFixture,
  generateEquirectPhoto,
  type FixtureFault,
  type FixtureContent,
  type EquirectFixture,
  type EquirectFixtureOptions,
  type EquirectPhotoOptions,
} from './fixtures.ts';
export {
  checkStitching,
  sampleTimes,
  STITCH_THRESHOLDS,
  stitchCheckSchema,
  stitchReportSchema,
  checkStatusSchema,
  type CheckStatus,
  type StitchCheck,
  type StitchReport,
  type StitchCheckOptions,
} from './stitch-check.ts';
export { H264_LEVEL_52, HEVC_HEADSET_LIMIT, HEADSET_MAX_FRAME_RATE, h264LevelFor, fitsH264Level52, fitsHevcHeadset } from './headset-limits.ts';
export { parseBoxes, findBox, findPath, listTracks, injectSphericalMetadata, buildSphericalBoxes, type Mp4Box, type Mp4Track } from './mp4-boxes.ts';
export { avcCodecString, hevcCodecString, mp4aCodecString, codecStringsOf, type TrackCodec } from './codec-strings.ts';
export {
  parseMediaPlaylist,
  parseMasterPlaylist,
  writeMasterPlaylist,
  writeLiveMediaPlaylist,
  requiredHlsVersion,
  videoLayoutOf,
  PROJECTION_SESSION_DATA_ID,
  type MediaPlaylist,
  type MediaPlaylistSegment,
  type MasterVariant,
  type MasterAudio,
  type MasterPlaylistEntry,
} from './hls-playlist.ts';
export {
  planLadder,
  codecFor,
  rungBitrateKbps,
  LADDER_EYE_WIDTHS,
  ladderRungSchema,
  plannedRungSchema,
  ladderPlanSchema,
  videoCodecSchema,
  type LadderPlan,
  type LadderRungInput,
  type PlannedRung,
  type PlanLadderOptions,
  type VideoCodec,
} from './ladder-plan.ts';
export { buildLadderArgs, ladderEncoderArgs, ladderStreamMap, rungScaleGraph, LADDER_FILES, type LadderEncodeOptions } from './ladder-encode.ts';
export {
  CAPTURE_FORMATS,
  captureDeviceInput,
  liveSourceSchema,
  listCaptureDevices,
  parseDeviceList,
  resolveLiveSource,
  testPatternFilter,
  utcSecondsOfDay,
  type CaptureDevice,
  type CaptureDeviceInput,
  type CaptureFormat,
  type LiveInput,
  type LiveSource,
  type LiveSourceInfo,
  type ResolvedLiveSource,
} from './live-source.ts';
export {
  buildLiveLadderArgs,
  liveSegmentName,
  measureLiveSpeed,
  pickRealTimeLadder,
  planLiveLadder,
  LIVE_FILES,
  LIVE_MIN_SPEED,
  LIVE_SEGMENT_NAME,
  LIVE_SEGMENT_SECONDS,
  type LiveEncodeOptions,
  type LiveTrial,
  type LiveTrialOptions,
  type PlanLiveLadderOptions,
} from './live-encode.ts';
export { StagedOutput, listFiles } from './output-dir.ts';
export {
  TranscodeJob,
  transcodeLadder,
  packageLadder,
  peakBitRate,
  thumbnailIndex,
  transcodeResultSchema,
  transcodeVariantSchema,
  TRANSCODE_PHASES,
  type TranscodeOptions,
  type TranscodeProgress,
  type TranscodePhase,
  type TranscodeResult,
  type TranscodeVariant,
  type TranscodeEvents,
} from './transcode-job.ts';
export { transcodePhoto, PHOTO_WIDTHS, PHOTO_PREVIEW_WIDTH, photoResultSchema, type PhotoOptions, type PhotoResult } from './photo.ts';
export {
  chunkSchema,
  chunkPlanSchema,
  planChunks,
  probeKeyframes,
  shouldChunk,
  DEFAULT_CHUNK_SECONDS,
  type Chunk,
  type ChunkPlan,
  type SourceKeyframes,
} from './chunk-plan.ts';
export { buildChunkArgs, chunkFileName, transcodeChunk, type ChunkTranscodeOptions } from './chunk-transcode.ts';
export { joinChunks, transcodeInChunks, type ChunkJoinOptions, type ChunkedTranscodeOptions } from './chunk-join.ts';
