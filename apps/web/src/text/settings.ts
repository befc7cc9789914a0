// The UI text of the settings area, in every language the app has; i18n.ts merges it with the rest.
import type { Localized } from "./localized.ts";

const en = {};

export const settingsText: Localized<typeof en> = { en, zh: {}, id: {} };
