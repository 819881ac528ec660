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
    { path: ':rest(.*)*', redirect: '/workbench/tasks' },
  ],
};
