import { createContext, useContext } from "react";
import { OFFLINE_SPEECH_MODEL } from "./speaker.ts";

/** The speech model this market's answers are read with: the first the server lists (a provider's, else espeak-ng). */
export const SpeechModel = createContext<string>(OFFLINE_SPEECH_MODEL);

export const useSpeechModel = () => useContext(SpeechModel);
