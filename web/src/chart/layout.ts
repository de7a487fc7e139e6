/**
 * Chart widths follow the window, decided before the page's query so that `history(samples:)` can ask for
 * exactly one point per pixel. Mirrors the layout in styles.css (main width, padding, gaps).
 */
const MAIN_MAX = 1400;
const PAGE_PADDING = 2 * 24;
/** Padding and border of a card. */
const CARD_PADDING = 2 * 16 + 2;
const GAP = 16;

/** Width of one chart of a grid with two columns on a wide window, one otherwise. */
export function gridChartWidth(): number {
  const main = Math.min(document.documentElement.clientWidth, MAIN_MAX) - PAGE_PADDING;
  const columns = main >= 960 ? 2 : 1;
  return Math.max(240, Math.floor((main - (columns - 1) * GAP) / columns) - CARD_PADDING);
}

/** Width of a chart that spans the whole main column. */
export function fullChartWidth(): number {
  return Math.max(240, Math.min(document.documentElement.clientWidth, MAIN_MAX) - PAGE_PADDING - CARD_PADDING);
}
