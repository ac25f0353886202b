/**
 * The typeface every screen uses. Noto Sans SC ships with the app (@fontsource-variable, split by
 * Unicode range so a page loads only the characters it shows): Chinese reads on a machine with no
 * CJK font of its own; a local PingFang or YaHei is still preferred where present.
 */
import '@fontsource-variable/noto-sans-sc';

export const shippedFont = 'Noto Sans SC Variable';

/** CSS font-family list for ECharts and canvas text (the stylesheet's `--font` says the same). */
export const uiFont = `"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "${shippedFont}", sans-serif`;
