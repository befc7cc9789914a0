import { createRequire } from "node:module";
import { capitalsZh } from "./capitals-zh.ts";

// Facts about countries, each in English, Chinese and Indonesian, from packages installable here:
// countries-list (MIT): names, capitals, continents, currency and language codes, English names of those;
// i18n-iso-countries and @cospired/i18n-iso-languages (MIT): Chinese and Indonesian country and language names;
// Unicode CLDR (Unicode-3.0): Chinese and Indonesian currency names, and Chinese names of capitals where a time
// zone is named after the capital (its "exemplar city").

const require = createRequire(import.meta.url);

export type Lang = "en" | "zh" | "id";

export interface CountryFacts {
  code: string;
  name: Partial<Record<Lang, string>>;
  capital: Partial<Record<Lang, string>>;
  currency: Partial<Record<Lang, string>>;
  continent: Partial<Record<Lang, string>>;
  language: Partial<Record<Lang, string>>;
}

const continentNames: Record<string, Record<Lang, string>> = {
  AF: { en: "Africa", zh: "非洲", id: "Afrika" },
  AN: { en: "Antarctica", zh: "南极洲", id: "Antartika" },
  AS: { en: "Asia", zh: "亚洲", id: "Asia" },
  EU: { en: "Europe", zh: "欧洲", id: "Eropa" },
  NA: { en: "North America", zh: "北美洲", id: "Amerika Utara" },
  OC: { en: "Oceania", zh: "大洋洲", id: "Oseania" },
  SA: { en: "South America", zh: "南美洲", id: "Amerika Selatan" },
};

interface CountriesListEntry {
  name: string;
  capital: string;
  continent: string;
  currency: string[];
  languages: string[];
}

/** "Bogotá" and "Bogota", "Kuwait City" and "Kuwait" compare equal. */
const cityKey = (name: string) =>
  name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ city$/, "")
    .replace(/[^a-z]/g, "");

/** Chinese names of cities that give a time zone its name, keyed by cityKey of the zone's English city. */
function zhCitiesByEnglishName(): Map<string, string> {
  const zones = require("cldr-dates-full/main/zh/timeZoneNames.json").main.zh.dates.timeZoneNames.zone as Record<
    string,
    Record<string, { exemplarCity?: string }>
  >;
  const out = new Map<string, string>();
  for (const [area, cities] of Object.entries(zones)) {
    if (area === "Etc") continue;
    for (const [id, z] of Object.entries(cities)) if (z.exemplarCity) out.set(cityKey(id.replace(/_/g, " ")), z.exemplarCity);
  }
  return out;
}

/** i18n-iso-countries gives several names for some countries; the first is the usual one. */
const pickName = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function loadCountryFacts(): CountryFacts[] {
  const list = require("countries-list") as { countries: Record<string, CountriesListEntry>; languages: Record<string, { name: string }> };
  const countries = list.countries;
  const languagesEn = list.languages;
  const currenciesEn = (require("countries-list/currencies") as { currencies: Record<string, { name: string }> }).currencies;
  const countryNames = {
    zh: require("i18n-iso-countries/langs/zh.json").countries,
    id: require("i18n-iso-countries/langs/id.json").countries,
  } as Record<"zh" | "id", Record<string, string | string[]>>;
  const languageNames = {
    zh: require("@cospired/i18n-iso-languages/langs/zh.json").languages,
    id: require("@cospired/i18n-iso-languages/langs/id.json").languages,
  } as Record<"zh" | "id", Record<string, string>>;
  const currencyNames = {
    zh: require("cldr-numbers-full/main/zh/currencies.json").main.zh.numbers.currencies,
    id: require("cldr-numbers-full/main/id/currencies.json").main.id.numbers.currencies,
  } as Record<"zh" | "id", Record<string, { displayName?: string }>>;
  const zhCities = zhCitiesByEnglishName();

  const facts: CountryFacts[] = [];
  for (const code of Object.keys(countries).sort()) {
    const c = countries[code]!;
    if (!c.capital) continue; // territories without a capital of their own
    const currency = c.currency[0];
    const language = c.languages[0];
    const continent = continentNames[c.continent];
    facts.push({
      code,
      name: { en: c.name, zh: pickName(countryNames.zh[code]), id: pickName(countryNames.id[code]) },
      capital: { en: c.capital, zh: capitalsZh[code] ?? zhCities.get(cityKey(c.capital)), id: c.capital },
      currency: currency
        ? { en: currenciesEn[currency]?.name, zh: currencyNames.zh[currency]?.displayName, id: currencyNames.id[currency]?.displayName }
        : {},
      continent: continent ?? {},
      language: language ? { en: languagesEn[language]?.name, zh: languageNames.zh[language], id: languageNames.id[language] } : {},
    });
  }
  return facts;
}
