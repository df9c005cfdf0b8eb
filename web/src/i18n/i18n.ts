// Texts in the user's language (English or Simplified Chinese), with {placeholders}.
import { en } from './en';
import { zhCN } from './zh-CN';

export type Locale = 'en' | 'zh-CN';
export const locales: { id: Locale; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'zh-CN', name: '简体中文' },
];

const tables: Record<Locale, Record<string, string>> = { en, 'zh-CN': zhCN };

export function pickLocale(saved: string | null, browser: readonly string[]): Locale {
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return browser.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function translate(locale: Locale, key: string, vars?: Record<string, string | number>): string {
  const text = tables[locale][key] ?? en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The user-facing text for an error code from the server. */
export function errorText(locale: Locale, code: string, message: string): string {
  const key = `error.${code}`;
  if (key in tables[locale]) return translate(locale, key, { message });
  return translate(locale, 'error.generic', { message: message || code });
}

export function keysOf(locale: Locale): string[] {
  return Object.keys(tables[locale]);
}
