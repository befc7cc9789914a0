/** The microphone, opened: the rate its samples come at, and how to let it go. */
export interface OpenMicrophone {
  sampleRate: number;
  close(): void;
}

const BLOCK = 2048;

/**
 * Opens the microphone (echo cancelled, so the assistant's own voice is not heard back) and hands over its samples
 * block by block (mono, -1..1, about 43 ms each at 48 kHz). A ScriptProcessor rather than an AudioWorklet: it needs
 * no module loaded from a URL, which the page's content policy may not allow.
 */
export async function openMicrophone(onBlock: (samples: Float32Array, ms: number) => void): Promise<OpenMicrophone> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
  });
  const audio = new AudioContext();
  const tap = audio.createScriptProcessor(BLOCK, 1, 1);
  const mute = audio.createGain();
  mute.gain.value = 0;
  audio.createMediaStreamSource(stream).connect(tap).connect(mute).connect(audio.destination);
  const ms = (BLOCK / audio.sampleRate) * 1000;
  tap.onaudioprocess = (e) => onBlock(new Float32Array(e.inputBuffer.getChannelData(0)), ms);
  return {
    sampleRate: audio.sampleRate,
    close() {
      tap.onaudioprocess = null;
      for (const track of stream.getTracks()) track.stop();
      void audio.close();
    },
  };
}
