// A non-browser WebRTC peer (werift) driven over stdin/stdout with one JSON object per line,
// so a test can carry its SDP through parleyd's signaling:
//   node werift_peer.mjs publish   -> {"type":"offer","sdp","mid"}; reads {"type":"answer","sdp"};
//                                     then sends a VP8 stream (200 packets/s, keyframe every 2 s)
//   node werift_peer.mjs receive   -> same exchange; counts the RTP packets that arrive
// Events it prints: {"event":"connected"}, {"event":"sent","packets"},
// {"event":"received","packets","keyframes","payload_ok"}, {"event":"failed","reason"}.
// ICE uses 127.0.0.1 only: no packet goes anywhere but the loopback interface.
import readline from "node:readline";
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from "werift";

const mode = process.argv[2];
if (mode !== "publish" && mode !== "receive") {
  process.stderr.write("usage: node werift_peer.mjs publish|receive\n");
  process.exit(2);
}

const say = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));
// The test closes stdin to stop the peer.
lines.on("close", () => process.exit(0));

const pc = new RTCPeerConnection({
  iceInterfaceAddresses: { udp4: "127.0.0.1" },
  iceAdditionalHostAddresses: ["127.0.0.1"],
  iceUseIpv6: false,
  iceFilterCandidatePair: (pair) =>
    pair.localCandidate.host.startsWith("127.") && pair.remoteCandidate.host.startsWith("127."),
  codecs: {
    video: [
      new RTCRtpCodecParameters({
        mimeType: "video/VP8",
        clockRate: 90000,
        rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }],
      }),
    ],
  },
});

pc.connectionStateChange.subscribe((state) => {
  if (state === "connected") say({ event: "connected" });
  if (state === "failed") say({ event: "failed", reason: "connection failed" });
});

// The payload every published packet carries after the VP8 descriptor: the receiver checks it.
const marker = Buffer.from("parley-werift-peer");

function vp8Payload(firstOfFrame, keyframe, pictureId) {
  // RFC 7741 descriptor: X=1, S on the first packet of a frame; I=1 with a 15-bit PictureID.
  const descriptor = Buffer.from([0x80 | (firstOfFrame ? 0x10 : 0), 0x80, 0x80 | (pictureId >> 8), pictureId & 0xff]);
  const parts = [descriptor];
  if (firstOfFrame) {
    // RFC 6386 frame tag: P=0 for a keyframe, show_frame, partition size 1000; keyframes add
    // the start code and a 1280x720 size.
    const tag = (keyframe ? 0 : 1) | (1 << 4) | (1000 << 5);
    parts.push(Buffer.from([tag & 0xff, (tag >> 8) & 0xff, (tag >> 16) & 0xff]));
    if (keyframe) parts.push(Buffer.from([0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02]));
  }
  parts.push(marker);
  parts.push(Buffer.alloc(1000 - marker.length, 0x5a));
  return Buffer.concat(parts);
}

async function gatheredOffer() {
  const done = new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") resolve();
    pc.iceGatheringStateChange.subscribe((state) => state === "complete" && resolve());
  });
  await pc.setLocalDescription(await pc.createOffer());
  await done;
  // Only loopback candidates leave this process.
  return pc.localDescription.sdp
    .split("\r\n")
    .filter((line) => !line.startsWith("a=candidate:") || / 127\./.test(line))
    .join("\r\n");
}

async function main() {
  let transceiver;
  let track;
  if (mode === "publish") {
    track = new MediaStreamTrack({ kind: "video" });
    transceiver = pc.addTransceiver(track, { direction: "sendonly" });
  } else {
    transceiver = pc.addTransceiver("video", { direction: "recvonly" });
    let packets = 0;
    let keyframes = 0;
    let payloadOk = 0;
    transceiver.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe((rtp) => {
        packets += 1;
        const p = rtp.payload;
        if (p.length > 4 && (p[0] & 0x10) !== 0 && (p[4] & 0x01) === 0 && p[7] === 0x9d) keyframes += 1;
        if (p.includes(marker)) payloadOk += 1;
      });
    });
    setInterval(() => say({ event: "received", packets, keyframes, payload_ok: payloadOk }), 250);
  }

  const sdp = await gatheredOffer();
  say({ type: "offer", sdp, mid: transceiver.mid });
  const answer = JSON.parse(await nextLine());
  await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });

  if (mode === "publish") {
    // 25 frames/s of 8 packets, a keyframe every 50 frames; werift's sender sets the SSRC,
    // payload type and header extensions it negotiated.
    let sequence = 0;
    let timestamp = 0;
    let frame = 0;
    let packet = 0;
    let sent = 0;
    const sendOne = () => {
      if (pc.connectionState !== "connected") return;
      const first = packet === 0;
      const last = packet === 7;
      const header = new RtpHeader({
        payloadType: 96,
        sequenceNumber: sequence,
        timestamp,
        marker: last,
        ssrc: 1,
      });
      track.writeRtp(new RtpPacket(header, vp8Payload(first, frame % 50 === 0, frame & 0x7fff)));
      sent += 1;
      sequence = (sequence + 1) & 0xffff;
      if (last) {
        packet = 0;
        frame += 1;
        timestamp = (timestamp + 3600) >>> 0;
      } else {
        packet += 1;
      }
    };
    setInterval(sendOne, 5);
    setInterval(() => say({ event: "sent", packets: sent }), 250);
  }
}

main().catch((error) => {
  say({ event: "failed", reason: String(error && error.stack ? error.stack : error) });
  process.exit(1);
});
