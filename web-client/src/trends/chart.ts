// A score trend on a Chart.js line chart (canvas: nothing inline to clash with the CSP). The
// severity bands are shaded and the dosing sessions drawn as dashed lines by a small plugin,
// because a score only means something next to its band and to when the person was dosed.
// The canvas is an image named "<instrument> trend"; the same data is in a table beside it.

import {
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import type { TrendPoint, Trends } from '../protocol';
import { shortDate } from '../ui/time';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip);

const DAY_MS = 86_400_000;
const INK = '#1d2b36';
const MUTED = '#4b5a66';
const LINE = '#1f5f8b';
const BAND_FILLS = ['rgba(31, 95, 139, 0.06)', 'rgba(31, 95, 139, 0.14)'];
const DOSE = '#7a4b00';
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export class TrendChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private trends: Trends;

  constructor(canvas: HTMLCanvasElement, trends: Trends, timeZone: string) {
    this.trends = trends;
    // Band names sit to the right of the plot, where no point or dose line can cover them.
    const measure = canvas.getContext('2d');
    let labelWidth = 0;
    if (measure) {
      measure.font = FONT;
      for (const b of trends.instrument.bands) labelWidth = Math.max(labelWidth, measure.measureText(b.label).width);
    }
    const context: Plugin<'line'> = {
      id: 'interludeContext',
      beforeDatasetsDraw: (chart) => this.drawContext(chart),
    };
    const config: ChartConfiguration<'line', { x: number; y: number }[]> = {
      type: 'line',
      data: { datasets: [dataset(trends)] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        layout: { padding: { right: labelWidth > 0 ? Math.ceil(labelWidth) + 10 : 0 } },
        scales: {
          x: {
            type: 'linear',
            ...xRange(trends),
            ticks: { color: MUTED, maxTicksLimit: 6, callback: (v) => shortDate(Number(v), timeZone) },
            grid: { display: false },
          },
          y: {
            type: 'linear',
            min: trends.instrument.min,
            max: trends.instrument.max,
            // No extra tick at an odd maximum (27 beside 25 reads as clutter).
            ticks: { color: MUTED, precision: 0, includeBounds: false },
            grid: { color: 'rgba(29, 43, 54, 0.08)' },
          },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? shortDate(items[0].parsed.x ?? 0, timeZone) : ''),
              label: (item) => {
                const p = this.trends.points[item.dataIndex];
                return p ? describePoint(p) : String(item.parsed.y);
              },
            },
          },
        },
      },
      plugins: [context],
    };
    this.chart = new Chart(canvas, config);
  }

  update(trends: Trends): void {
    this.trends = trends;
    this.chart.data.datasets = [dataset(trends)];
    const x = this.chart.options.scales?.x;
    if (x) Object.assign(x, xRange(trends));
    this.chart.update();
  }

  destroy(): void {
    this.chart.destroy();
  }

  private drawContext(chart: Chart): void {
    const { ctx, chartArea: area, scales } = chart;
    const x = scales.x;
    const y = scales.y;
    ctx.save();
    ctx.font = FONT;
    this.trends.instrument.bands.forEach((b, i) => {
      // Bands are whole-number ranges: 5-9 covers everything from 4.5 to 9.5 on the axis.
      const top = y.getPixelForValue(Math.min(b.max + 0.5, y.max));
      const bottom = y.getPixelForValue(Math.max(b.min - 0.5, y.min));
      ctx.fillStyle = BAND_FILLS[i % BAND_FILLS.length];
      ctx.fillRect(area.left, top, area.width, bottom - top);
      if (bottom - top >= 12) {
        ctx.fillStyle = INK;
        ctx.textAlign = 'left';
        ctx.textBaseline = 'middle';
        ctx.fillText(b.label, area.right + 6, (top + bottom) / 2);
      }
    });
    ctx.strokeStyle = DOSE;
    ctx.fillStyle = DOSE;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 4]);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const labelWidth = ctx.measureText('Dose').width + 8;
    let lastLabel = -Infinity;
    const doses = [...this.trends.dosingSessions].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    for (const d of doses) {
      const px = x.getPixelForValue(new Date(d.startsAt).getTime());
      if (px < area.left || px > area.right) continue;
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      // Doses a few days apart would print their labels over each other: the line says enough.
      if (px - lastLabel >= labelWidth) {
        ctx.fillText('Dose', px + 4, area.top + 2);
        lastLabel = px;
      }
    }
    ctx.restore();
  }
}

function dataset(trends: Trends) {
  return {
    label: trends.instrument.title,
    data: trends.points.map((p) => ({ x: new Date(p.at).getTime(), y: p.total })),
    borderColor: LINE,
    backgroundColor: LINE,
    borderWidth: 2,
    pointRadius: 4,
    pointHoverRadius: 6,
    tension: 0,
  };
}

/** From a little before the first result or dose to a day after the later of now and the last one. */
function xRange(trends: Trends): { min: number; max: number } {
  const times = [
    ...trends.points.map((p) => new Date(p.at).getTime()),
    ...trends.dosingSessions.map((d) => new Date(d.startsAt).getTime()),
  ];
  const now = Date.now();
  const first = times.length ? Math.min(...times) : now - 28 * DAY_MS;
  const last = Math.max(now, ...times);
  return { min: first - 2 * DAY_MS, max: last + DAY_MS };
}

/** "14 (56%), Poor": the raw total, its percentage where the instrument has one, and its band. */
export function describePoint(p: TrendPoint): string {
  const value = p.percentage !== undefined ? `${p.total} (${p.percentage}%)` : String(p.total);
  return p.bandLabel ? `${value}, ${p.bandLabel}` : value;
}
