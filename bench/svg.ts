/** A tiny SVG line-chart writer: panels side by side, linear axes from 0, a legend per panel. */

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  /** [x, y] */
  points: [number, number][];
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

const W = 480;
const H = 340;
const M = { left: 64, right: 16, top: 34, bottom: 48 };

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** About five round tick values from 0 to at least `max`. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

function panelSvg(panel: Panel, offsetX: number): string {
  const xs = panel.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = panel.series.flatMap((s) => s.points.map(([, y]) => y));
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  const yTicks = ticks(Math.max(...ys, 1e-9));
  const xMax = Math.max(...xTicks);
  const yMax = yTicks[yTicks.length - 1];
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const px = (x: number) => M.left + (x / xMax) * plotW;
  const py = (y: number) => M.top + plotH - (y / yMax) * plotH;
  const out: string[] = [`<g transform="translate(${offsetX},0)">`];
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`);
  for (const y of yTicks) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${py(y) + 4}" text-anchor="end">${y}</text>`,
    );
  }
  for (const x of xTicks) {
    out.push(
      `<line x1="${px(x)}" x2="${px(x)}" y1="${M.top + plotH}" y2="${M.top + plotH + 4}" stroke="#333"/>`,
      `<text x="${px(x)}" y="${M.top + plotH + 18}" text-anchor="middle">${x}</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">${esc(panel.xLabel)}</text>`,
    `<text transform="translate(14,${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`,
  );
  panel.series.forEach((s, i) => {
    const path = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = M.top + 8 + i * 16;
    out.push(
      `<line x1="${M.left + 10}" x2="${M.left + 34}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${M.left + 40}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push("</g>");
  return out.join("\n");
}

export function svgChart(panels: Panel[], caption: string): string {
  const width = W * panels.length;
  const height = H + 22;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map((panel, i) => panelSvg(panel, i * W)),
    `<text x="8" y="${height - 6}" fill="#555">${esc(caption)}</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
