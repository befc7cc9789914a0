/**
 * One market as a benih.yaml `markets:` entry, for tests: English only, answering `hosts` (comma-separated), every
 * model of provider `openai` allowed; `extra` is more of its fields, each on a line of its own, indented 4.
 */
export const marketYaml = (id: string, hosts: string, extra = "") => `
  - id: ${id}
    region: ${id}
    displayName: { en: ${id} }
    brand: { name: { en: ${id} }, colors: { primary: "#1f6feb" } }
    defaultLocale: en
    locales: [en]
    hosts: [${hosts}]
    allow: [openai/*]
    policy: { refusal: { en: "No." } }${extra}`;
