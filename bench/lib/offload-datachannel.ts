// Data-channel throughput between two viewer pages (each in its own browser and namespace): one
// RTCDataChannel as p2p-media-loader opens them (reliable, ordered), messages of its maximum size
// (webRtcMaxMessageSize 64 KiB − 1), sent as fast as the channel takes them for `seconds`.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';

const MESSAGE_BYTES = 64 * 1024 - 1;

type BenchWindow = Window & { dcPc?: RTCPeerConnection; dcChannel?: RTCDataChannel; dcReceived?: { bytes: number; first: number; last: number } };

/** Mbit/s received by `receiver` from `sender` over one data channel, measured at the receiver. */
export async function dataChannelMbps(sender: Page, receiver: Page, seconds: number): Promise<number> {
  // Non-trickle: each side's description carries all its candidates (the bench relays them once).
  const offer = await sender.evaluate(async () => {
    const pc = new RTCPeerConnection();
    (window as BenchWindow).dcPc = pc;
    (window as BenchWindow).dcChannel = pc.createDataChannel('bench', { ordered: true });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
    });
    return JSON.stringify(pc.localDescription);
  });
  const answer = await receiver.evaluate(async (offer) => {
    const pc = new RTCPeerConnection();
    const w = window as BenchWindow;
    w.dcPc = pc;
    w.dcReceived = { bytes: 0, first: 0, last: 0 };
    pc.addEventListener('datachannel', ({ channel }) => {
      channel.binaryType = 'arraybuffer';
      channel.addEventListener('message', ({ data }: MessageEvent<ArrayBuffer>) => {
        const r = w.dcReceived!;
        const now = performance.now();
        if (r.first === 0) r.first = now;
        r.last = now;
        r.bytes += data.byteLength;
      });
    });
    await pc.setRemoteDescription(JSON.parse(offer) as RTCSessionDescriptionInit);
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
    });
    return JSON.stringify(pc.localDescription);
  }, offer);
  await sender.evaluate(
    async ({ answer, seconds, size }) => {
      const pc = (window as BenchWindow).dcPc!;
      await pc.setRemoteDescription(JSON.parse(answer) as RTCSessionDescriptionInit);
      // The channel made before the offer opens once the connection is up.
      const channel = (window as BenchWindow).dcChannel!;
      if (channel.readyState !== 'open') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the data channel did not open in 20 s')), 20_000);
          channel.addEventListener('open', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      const message = new Uint8Array(size);
      channel.bufferedAmountLowThreshold = 1 << 20;
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        while (channel.bufferedAmount < 4 << 20) channel.send(message);
        await new Promise<void>((resolve) => channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
      }
    },
    { answer, seconds, size: MESSAGE_BYTES },
  );
  // Let the tail arrive, then read what the receiver got between its first and last message.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const received = await receiver.evaluate(() => (window as BenchWindow).dcReceived!);
  await Promise.all([sender, receiver].map((page) => page.evaluate(() => (window as BenchWindow).dcPc?.close())));
  const spanSeconds = (received.last - received.first) / 1000;
  return spanSeconds > 0 ? (received.bytes * 8) / spanSeconds / 1e6 : 0;
}
