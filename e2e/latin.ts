/**
 * Latin words left in a Chinese screen: what `chinese.test.ts` fails on and `scripts/screens.ts`
 * lists beside each screenshot. The allow-list holds names, standards, units and abbreviations
 * everyone reads; case numbers, codes and e-mail addresses are taken out first.
 */
import type { Page } from 'playwright-core';

export const allowedLatin = new Set([
  'OneGrid',
  'English',
  'AQI',
  'PM',
  'PM2.5',
  'PM10',
  'mm',
  'cm',
  'km',
  'm',
  'kg',
  'h',
  'min',
  's',
  'GB',
  'T',
  'ID',
  'A',
  'B',
  'C',
  'D',
  'E',
  'Open311',
  'GPS',
  'IoT',
  'SSE',
  'MQTT',
  'API',
  'CSV',
  'Excel',
  'PDF',
  'PNG',
  'JPEG',
  'GeoJSON',
  'ppm',
  'dB',
  'Pa',
  'MPa',
  'kPa',
  'V',
  'mg',
  'μg',
  'L',
  'NTU',
  'pH',
  'MapLibre',
  'OpenStreetMap',
  'CARTO',
  'TOTP',
]);

/** Latin words in `text`, minus case numbers, codes, e-mail addresses and the allow-list. */
export function latinIn(text: string): string[] {
  const words = text
    .replace(/\b[A-Z]\d{6,}\b/g, ' ') // case numbers E0601…
    .replace(/\b[\w.-]+@[\w.-]+\b/g, ' ')
    .replace(/\b\d{6,}[A-Z]\d{3,}\b/g, ' ') // grid codes 310101002D001
    .match(/[A-Za-z][A-Za-z0-9.-]*/g);
  return [...new Set((words ?? []).filter((w) => !allowedLatin.has(w.replace(/\.$/, ''))))];
}

/**
 * Latin words in the visible text of `page` (see `latinIn`). Text marked as a code (`<code>`,
 * `.mono`: device ids, case numbers, grid codes) is a code, not a word, and is left out.
 */
export async function latinWords(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
    let all = document.body.innerText;
    for (const el of document.querySelectorAll<HTMLElement>('code, .mono')) {
      // biome-ignore lint/performance/useDomNodeTextContent: as rendered, like the body's text
      const t = el.innerText.trim();
      if (t) all = all.split(t).join(' ');
    }
    return all;
  });
  return latinIn(text);
}
