// A non-browser WebRTC peer (werift) driven over stdin/stdout with one JSON object per line,
// so a test can carry its SDP through parleyd's signaling:
//   node werift_peer.mjs publish   -> {"type":"offer","sdp","mid"}; reads {"type":"answer","sdp"};
//                                     then sends a VP8 stream (200 packets/s, keyframe every 2 s)
//   node werift_peer.mjs receive   -> same exchange; counts the RTP packets that arrive
//   node werift_peer.mjs publish-media -> real media a browser can decode: VP8 video and Opus audio
//                                     recorded by Chromium (tests/data/media, made by
//                                     tests/browser/make_werift_media.js), sent in a loop at their
//                                     own pace with the mid, abs-send-time and audio-level
//                                     header extensions; one offer per track, {"type":"offer","sdp","mid",
//                                     "kind"}, each answered before the next; a PLI from the server
//                                     makes the next video frame sent the next keyframe of the clip
// Events it prints: {"event":"connected"}, {"event":"sent","packets"},
// {"event":"received","packets","keyframes","payload_ok"}, {"event":"failed","reason"},
// and in publish-media {"event":"negotiated"}, {"event":"sent","video_frames","audio_packets","plis",
// "dropped","nacks","retransmitted","rtx","audio_level"}. publish-media offers RTX and loses one
// video packet in 50 on its first transmission, as a lossy link would: werift resends it as RTX
// when NACKed.
// ICE uses 127.0.0.1 only: no packet goes anywhere but the loopback interface.
import fs from "node:fs";
import readline from "node:readline";
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useAudioLevelIndication,
  useSdesMid,
} from "werift";

const mode = process.argv[2];
if (mode !== "publish" && mode !== "receive" && mode !== "publish-media") {
  process.stderr.write("usage: node werift_peer.mjs publish|receive|publish-media\n");
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
      // publish-media repairs lost packets with RFC 4588 retransmissions on their own SSRC.
      ...(mode === "publish-media" ? [new RTCRtpCodecParameters({ mimeType: "video/rtx", clockRate: 90000 })] : []),
    ],
    audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 })],
  },
  // publish-media sends the header extensions a browser does: mid, abs-send-time, audio level.
  headerExtensions: mode === "publish-media"
    ? { video: [useSdesMid(), useAbsSendTime()], audio: [useSdesMid(), useAudioLevelIndication()] }
    : {},
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

// The frames of an IVF file (a 32-byte header, then per frame its size, a timestamp and its bytes).
function readIvf(name) {
  const data = fs.readFileSync(new URL(`../data/media/${name}`, import.meta.url));
  if (data.toString("ascii", 0, 4) !== "DKIF") throw new Error(`${name} is not an IVF file`);
  const frames = [];
  for (let at = data.readUInt16LE(6); at + 12 <= data.length; ) {
    const size = data.readUInt32LE(at);
    frames.push(data.subarray(at + 12, at + 12 + size));
    at += 12 + size;
  }
  return frames;
}

// RFC 7741 packets of one VP8 frame: a descriptor with X=1, S=1 on the first packet,
// I=1 and a 15-bit PictureID; at most 1100 bytes of the frame each.
function vp8Packets(frame, pictureId) {
  const packets = [];
  for (let at = 0; at < frame.length; at += 1100) {
    const descriptor = Buffer.from([0x80 | (at === 0 ? 0x10 : 0), 0x80, 0x80 | (pictureId >> 8), pictureId & 0xff]);
    packets.push(Buffer.concat([descriptor, frame.subarray(at, at + 1100)]));
  }
  return packets;
}

async function publishMedia() {
  const video = readIvf("werift_vp8_320x240.ivf");
  const audio = readIvf("werift_opus_48k.ivf");
  const isKeyframe = (frame) => (frame[0] & 0x01) === 0; // RFC 6386 frame tag: P=0
  const videoTrack = new MediaStreamTrack({ kind: "video" });
  const audioTrack = new MediaStreamTrack({ kind: "audio" });
  const videoTransceiver = pc.addTransceiver(videoTrack, { direction: "sendonly" });
  const audioTransceiver = pc.addTransceiver(audioTrack, { direction: "sendonly" });

  // One offer per track, as a browser publishes them one at a time.
  for (const [kind, transceiver] of [["video", videoTransceiver], ["audio", audioTransceiver]]) {
    const sdp = await gatheredOffer();
    say({ type: "offer", sdp, mid: transceiver.mid, kind });
    const answer = JSON.parse(await nextLine());
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
  }
  say({ event: "negotiated" });

  // A lossy link: one video packet in 50 does not leave on its first transmission (werift keeps
  // it for retransmission), so the server must ask for it (NACK) and take the RTX repair.
  const videoSender = videoTransceiver.sender;
  const transport = videoSender.dtlsTransport;
  const sendOnWire = transport.sendRtp.bind(transport);
  let mediaPackets = 0;
  let dropped = 0;
  transport.sendRtp = (payload, header) => {
    if (header.ssrc === videoSender.ssrc && header.payloadType === videoSender.codec.payloadType &&
        ++mediaPackets % 50 === 0) {
      dropped += 1;
      return Promise.resolve(0);
    }
    return sendOnWire(payload, header);
  };

  let plis = 0;
  let videoIndex = 0; // the next frame of the clip to send
  let videoFrames = 0;
  let videoSequence = 0;
  videoTransceiver.sender.onPictureLossIndication.subscribe(() => {
    plis += 1;
    // Decoding can only start on a keyframe: the next one of the clip goes next.
    while (!isKeyframe(video[videoIndex])) videoIndex = (videoIndex + 1) % video.length;
  });
  // 25 frames/s, the clip's rate; the RTP timestamp counts 90 kHz ticks and keeps rising across loops.
  setInterval(() => {
    if (pc.connectionState !== "connected") return;
    const packets = vp8Packets(video[videoIndex], videoFrames & 0x7fff);
    packets.forEach((payload, i) => {
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: videoSequence, timestamp: (videoFrames * 3600) >>> 0,
        marker: i === packets.length - 1, ssrc: 1 });
      videoTrack.writeRtp(new RtpPacket(header, payload));
      videoSequence = (videoSequence + 1) & 0xffff;
    });
    videoIndex = (videoIndex + 1) % video.length;
    videoFrames += 1;
  }, 40);
  // One 20 ms Opus packet every 20 ms (960 ticks at 48 kHz), each with its RFC 6464 audio level
  // when negotiated: voice, -13 dBov (the clip's tone, RMS 0.21).
  const levelExtension = audioTransceiver.sender.headerExtensions.find(
    (e) => e.uri === "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
  const level = Buffer.from([0x80 | 13]);
  let audioPackets = 0;
  setInterval(() => {
    if (pc.connectionState !== "connected") return;
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: audioPackets & 0xffff,
      timestamp: (audioPackets * 960) >>> 0, marker: audioPackets === 0, ssrc: 2,
      extensions: levelExtension ? [{ id: levelExtension.id, payload: level }] : [] });
    audioTrack.writeRtp(new RtpPacket(header, audio[audioPackets % audio.length]));
    audioPackets += 1;
  }, 20);
  setInterval(() => say({ event: "sent", video_frames: videoFrames, audio_packets: audioPackets, plis, dropped,
    nacks: videoSender.nackCount, retransmitted: videoSender.retransmittedPacketsSent,
    rtx: videoSender.rtxPayloadType !== undefined, audio_level: levelExtension !== undefined }), 250);
}

async function main() {
  if (mode === "publish-media") return publishMedia();
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
