import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { workbenchRoute } from './workbench/routes';

/**
 * The sidebar's routes. The workbench (`/workbench/*`) is lazily loaded and its code never
 * reaches the sidebar entry; the sidebar views are split per route too.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'entry', component: () => import('./views/EntryView.vue') },
  { path: '/sidebar', name: 'sidebar-entry', component: () => import('./views/EntryView.vue') },
  {
    path: '/customer/:externalUserId',
    name: 'customer',
    component: () => import('./views/CustomerView.vue'),
  },
  { path: '/group/:chatId', name: 'group', component: () => import('./views/GroupView.vue') },
  { path: '/tasks/:id?', name: 'tasks', component: () => import('./views/TasksView.vue') },
  // the supervisor workbench: layout and pages are lazily loaded (sidebar/src/workbench/routes.ts)
  workbenchRoute,
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});
