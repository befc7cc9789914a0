/** The audio formats of OpenAI's `/v1/audio/speech`, and how ffmpeg writes each from a WAV. */
export const SPEECH_FORMATS = {
  mp3: { contentType: "audio/mpeg", ffmpeg: ["-f", "mp3", "-c:a", "libmp3lame", "-b:a", "64k"] },
  opus: { contentType: "audio/ogg", ffmpeg: ["-f", "ogg", "-c:a", "libopus", "-b:a", "32k"] },
  aac: { contentType: "audio/aac", ffmpeg: ["-f", "adts", "-c:a", "aac", "-b:a", "64k"] },
  flac: { contentType: "audio/flac", ffmpeg: ["-f", "flac"] },
  wav: { contentType: "audio/wav", ffmpeg: ["-f", "wav"] },
  // OpenAI's raw PCM: 24 kHz, 16-bit signed little-endian, mono.
  pcm: { contentType: "audio/pcm", ffmpeg: ["-f", "s16le", "-ar", "24000", "-ac", "1"] },
} as const;

export type SpeechFormat = keyof typeof SPEECH_FORMATS;
