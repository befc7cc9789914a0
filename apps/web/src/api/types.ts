// The web app's names for the shapes @benih/contracts declares, and the one view it makes of them.
import type { ConversationMatch } from "@benih/contracts";

/** A conversation in the list; a search hit also says where it matched. */
export type Conversation = Omit<ConversationMatch, "match"> & { match?: string | null };

export type { KbDocumentView as KbDocument, MarketView as MarketInfo, SettingsView as Settings } from "@benih/contracts";
