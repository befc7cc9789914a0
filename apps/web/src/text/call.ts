// The UI text of the voice call, in every language the app has; i18n.ts merges it with the rest.
import type { Localized } from "./localized.ts";

const en = {
  startCall: "Voice call",
  endCall: "End the call",
  callTitle: "Voice call",
  callListening: "Listening…",
  callHearing: "Hearing you…",
  callThinking: "Thinking…",
  callSpeaking: "Speaking… talk to interrupt",
  callYou: "You",
  callNotConfigured:
    "A voice call needs speech recognition, which this server does not have yet: an admin adds a model under assistant.transcription in benih.yaml.",
  callMicBlocked: "The microphone is off for this page: allow it in the browser to talk.",
  callFailed: "The call stopped:",
};

export const callText: Localized<typeof en> = {
  en,
  zh: {
    startCall: "语音通话",
    endCall: "挂断",
    callTitle: "语音通话",
    callListening: "正在听…",
    callHearing: "正在听你说…",
    callThinking: "正在思考…",
    callSpeaking: "正在回答… 说话即可打断",
    callYou: "你",
    callNotConfigured: "语音通话需要语音识别，而此服务器尚未配置：需要管理员在 benih.yaml 的 assistant.transcription 中添加模型。",
    callMicBlocked: "此页面的麦克风已关闭：请在浏览器中允许使用麦克风。",
    callFailed: "通话已中断：",
  },
  id: {
    startCall: "Panggilan suara",
    endCall: "Akhiri panggilan",
    callTitle: "Panggilan suara",
    callListening: "Mendengarkan…",
    callHearing: "Mendengar Anda…",
    callThinking: "Berpikir…",
    callSpeaking: "Menjawab… bicara untuk menyela",
    callYou: "Anda",
    callNotConfigured:
      "Panggilan suara memerlukan pengenalan ucapan, yang belum ada di server ini: admin menambahkan model di assistant.transcription pada benih.yaml.",
    callMicBlocked: "Mikrofon dimatikan untuk halaman ini: izinkan di peramban untuk berbicara.",
    callFailed: "Panggilan terhenti:",
  },
};
