import { de } from './de.js';
import { en, type Messages } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';

export type { Messages };
export const LANGUAGES = { en, de, fr, es } as const;
export type Language = keyof typeof LANGUAGES;

const isLanguage = (s: string): s is Language => s in LANGUAGES;

/** The `lang` attribute if we speak it, else the browser's first language we speak, else English. */
export function pickLanguage(attr: string | null, preferred: readonly string[]): Language {
  for (const tag of [attr ?? '', ...preferred]) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** The visitor's words for an API error code (or a network failure, code 0). */
export function errorText(m: Messages, code: number): string {
  const e = m.errors;
  switch (code) {
    case 0:
      return e.network;
    case 40101:
    case 40102:
    case 40301:
    case 40302:
      return e.setup;
    case 40001:
    case 40002:
    case 40006:
      return e[40001];
    case 40003:
    case 40004:
    case 40005:
    case 40401:
    case 40402:
    case 40901:
    case 40902:
    case 42901:
    case 42902:
    case 42903:
    case 42904:
      return e[code];
    default:
      return e.other;
  }
}
