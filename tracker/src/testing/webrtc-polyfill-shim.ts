// Stands in for the `webrtc-polyfill` package in tests (see webrtc-polyfill-hooks.ts).
import wrtc from '@roamhq/wrtc';

export const { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCDataChannel } = wrtc;
export default wrtc;
