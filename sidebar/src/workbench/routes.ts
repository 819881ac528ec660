import type { RouteRecordRaw } from 'vue-router';

/**
 * The supervisor workbench under `/workbench`. Only these few lines reach the sidebar entry: the
 * layout and every page (with Element Plus and ECharts) are loaded on demand.
 */
export const workbenchRoute: RouteRecordRaw = {
  path: '/workbench',
  component: () => import('./WorkbenchLayout.vue'),
  children: [
    { path: '', name: 'workbench', redirect: '/workbench/tasks' },
    {
      path: 'tasks',
      name: 'workbench-tasks',
      meta: { title: '任务完成', range: true },
      component: () => import('./pages/TaskCompletionPage.vue'),
    },
    {
      path: 'sop',
      name: 'workbench-sop',
      meta: { title: 'SOP 效果', range: true },
      component: () => import('./pages/SopResultsPage.vue'),
    },
    {
      path: 'growth',
      name: 'workbench-growth',
      meta: { title: '客户增长', range: true },
      component: () => import('./pages/GrowthPage.vue'),
    },
    {
      path: 'rules',
      name: 'workbench-rules',
      meta: { title: 'SOP 规则' },
      component: () => import('./pages/RuleListPage.vue'),
    },
    {
      path: 'rules/:id',
      name: 'workbench-rule',
      meta: { title: '编辑 SOP 规则' },
      component: () => import('./pages/RuleEditPage.vue'),
    },
    // 渠道活码, targets, customer and content reports, data quality (issue #8)
    {
      path: 'channels',
      name: 'workbench-channels',
      meta: { title: '渠道活码', range: true },
      component: () => import('./pages/ChannelsPage.vue'),
    },
    {
      path: 'targets',
      name: 'workbench-targets',
      meta: { title: '目标跟踪' },
      component: () => import('./pages/TargetsPage.vue'),
    },
    {
      path: 'customers',
      name: 'workbench-customers',
      meta: { title: '客户分析', range: true },
      component: () => import('./pages/CustomerReportPage.vue'),
    },
    {
      path: 'content',
      name: 'workbench-content',
      meta: { title: '内容分析', range: true },
      component: () => import('./pages/ContentReportPage.vue'),
    },
    {
      path: 'data-quality',
      name: 'workbench-data-quality',
      meta: { title: '数据清洗' },
      component: () => import('./pages/DataQualityPage.vue'),
    },
    { path: ':rest(.*)*', redirect: '/workbench/tasks' },
  ],
};
