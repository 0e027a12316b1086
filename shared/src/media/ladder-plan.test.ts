import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MediaError } from './errors.ts';
import { planLadder } from './ladder-plan.ts';
import { buildProbeResult, type ProbeResult } from './probe.ts';

/** A probe as ffprobe would report it for a file of this size, rate and layout. */
function probeOf(width: number, height: number, rate = '30/1', stereo?: string, audioChannels = 2): ProbeResult {
  const sideData =
    stereo === undefined
      ? undefined
      : [
          { side_data_type: 'Stereo 3D', type: stereo },
          { side_data_type: 'Spherical Mapping', projection: 'equirectangular', yaw: 0, pitch: 0, roll: 0 },
        ];
  return buildProbeResult('/source.mp4', 1_000_000, {
    streams: [
      {
        index: 0,
        codec_type: 'video',
        codec_name: 'hevc',
        width,
        height,
        r_frame_rate: rate,
        avg_frame_rate: rate,
        ...(sideData ? { side_data_list: sideData } : {}),
      },
      ...(audioChannels ? [{ index: 1, codec_type: 'audio', codec_name: 'aac', channels: audioChannels, sample_rate: '48000' }] : []),
    ],
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '60.000000', bit_rate: '50000000' },
  });
}

describe('planLadder', () => {
  test('a 5.7K mono source gets 2:1 rungs, HEVC only above H.264 level 5.2', () => {
    const plan = planLadder(probeOf(5760, 2880));
    assert.deepEqual(
      plan.rungs.map((r) => [r.name, r.width, r.height, r.codec]),
      [
        ['5760x2880', 5760, 2880, 'hevc'],
        ['3840x1920', 3840, 1920, 'h264'],
        ['2560x1280', 2560, 1280, 'h264'],
        ['1920x960', 1920, 960, 'h264'],
        ['1280x640', 1280, 640, 'h264'],
      ],
    );
    for (let i = 1; i < plan.rungs.length; i++) assert.ok(plan.rungs[i]!.videoBitrateKbps < plan.rungs[i - 1]!.videoBitrateKbps);
    for (const r of plan.rungs) assert.ok(r.maxrateKbps > r.videoBitrateKbps && r.bufsizeKbps >= r.maxrateKbps);
    assert.deepEqual(plan.audio, { bitrateKbps: 128, channels: 2 });
  });

  test('never upscales: a 4K source starts at 3840x1920', () => {
    assert.deepEqual(
      planLadder(probeOf(4096, 2048)).rungs.map((r) => r.name),
      ['3840x1920', '2560x1280', '1920x960', '1280x640'],
    );
    assert.deepEqual(
      planLadder(probeOf(2000, 1000)).rungs.map((r) => r.name),
      ['1920x960', '1280x640'],
    );
    // Smaller than the lowest rung: one rung at the source size.
    assert.deepEqual(
      planLadder(probeOf(1024, 512)).rungs.map((r) => r.name),
      ['1024x512'],
    );
  });

  test('top-bottom stereo keeps 1:1 frames, and 3840x3840 goes HEVC', () => {
    const plan = planLadder(probeOf(3840, 3840, '30/1', 'top and bottom'));
    assert.equal(plan.projection, 'stereo-top-bottom');
    assert.deepEqual(
      plan.rungs.map((r) => [r.name, r.codec]),
      [
        ['3840x3840', 'hevc'],
        ['2560x2560', 'h264'],
        ['1920x1920', 'h264'],
        ['1280x1280', 'h264'],
      ],
    );
  });

  test('60 fps pushes 3840x1920 to HEVC only if level 5.2 cannot carry it (it can)', () => {
    const plan = planLadder(probeOf(3840, 1920, '60/1'));
    assert.equal(plan.rungs[0]!.codec, 'h264');
    assert.equal(plan.gopFrames, 240);
  });

  test('one GOP per segment: GOP = segment duration × fps, segment length in whole frames', () => {
    const ntsc = planLadder(probeOf(3840, 1920, '30000/1001'), { segmentSeconds: 4 });
    assert.equal(ntsc.gopFrames, 120);
    assert.ok(Math.abs(ntsc.segmentSeconds - 4.004) < 1e-9);
    const pal = planLadder(probeOf(3840, 1920, '25/1'), { segmentSeconds: 2 });
    assert.equal(pal.gopFrames, 50);
    assert.equal(pal.segmentSeconds, 2);
  });

  test('explicit rungs are validated and get a codec', () => {
    const plan = planLadder(probeOf(3840, 1920), {
      rungs: [
        { name: 'top', width: 3840, height: 1920, videoBitrateKbps: 20000 },
        { name: 'low', width: 1280, height: 640, videoBitrateKbps: 2000, codec: 'hevc' },
      ],
    });
    assert.deepEqual(
      plan.rungs.map((r) => [r.name, r.codec]),
      [
        ['top', 'h264'],
        ['low', 'hevc'],
      ],
    );
    assert.throws(() => planLadder(probeOf(3840, 1920), { rungs: [{ name: 'bad name', width: 1280, height: 640, videoBitrateKbps: 2000 }] }));
    assert.throws(
      () => planLadder(probeOf(3840, 1920), { rungs: [{ name: 'odd', width: 1281, height: 641, videoBitrateKbps: 2000 }] }),
      (e: unknown) => e instanceof MediaError && e.code === 'INVALID_OPTIONS',
    );
  });

  test('a flat 16:9 video is refused unless a projection is given', () => {
    assert.throws(
      () => planLadder(probeOf(1920, 1080)),
      (e: unknown) => e instanceof MediaError && e.code === 'NOT_SPHERICAL',
    );
    assert.deepEqual(
      planLadder(probeOf(1920, 1080), { projection: 'equirectangular-mono' }).rungs.map((r) => r.name),
      ['1920x960', '1280x640'],
    );
  });
});
