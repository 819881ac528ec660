import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import CustomerView from './views/CustomerView.vue';
import EntryView from './views/EntryView.vue';
import { workbenchRoute } from './workbench/routes';

/**
 * The sidebar's routes. The entry and the customer view (what the chat toolbar opens almost every
 * time) are in the entry bundle, so the browser fetches all of it at once from index.html's
 * modulepreload links instead of discovering a second wave of chunks after main.js has run; the
 * group and task views are small lazy chunks. The workbench (`/workbench/*`) is lazily loaded
 * and its code never reaches the sidebar entry.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'entry', component: EntryView },
  { path: '/sidebar', name: 'sidebar-entry', component: EntryView },
  { path: '/customer/:externalUserId', name: 'customer', component: CustomerView },
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
