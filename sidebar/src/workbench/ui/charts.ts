/**
 * ECharts on demand: only the charts and components the workbench draws, registered once, and
 * vue-echarts' component. Lives in the lazily loaded workbench chunk.
 */
import { BarChart, FunnelChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import 'vue-echarts/style.css';

use([
  BarChart,
  LineChart,
  FunnelChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type { EChartsCoreOption as ChartOption } from 'echarts/core';
export { default as VChart } from 'vue-echarts';

/** The workbench palette (primary blue first, as in the sidebar). */
export const PALETTE = ['#2b6bf3', '#36b37e', '#ff8b00', '#de350b', '#6554c0', '#00a3bf', '#8f959e'];
