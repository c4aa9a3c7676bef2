import type { Pinia } from 'pinia';
import { createRouter, createWebHashHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router';
import type { Role } from '../../../common/contract';
import { useSessionStore } from '../stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    roles?: readonly Role[];
    /** A full-screen window (kiosk, counter display): no header. */
    bare?: boolean;
  }
}

const DESK: readonly Role[] = ['officer', 'supervisor', 'admin'];
const DIGITISE: readonly Role[] = ['digitiser', 'supervisor', 'admin'];
const STAFF: readonly Role[] = ['officer', 'digitiser', 'supervisor', 'admin'];

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/intake' },
  { path: '/login', name: 'login', component: () => import('../views/LoginView.vue'), meta: { public: true } },
  { path: '/intake', name: 'intake', component: () => import('../views/IntakeView.vue'), meta: { roles: DESK } },
  {
    path: '/digitise',
    name: 'digitise',
    component: () => import('../views/DigitiserView.vue'),
    meta: { roles: DIGITISE },
  },
  {
    path: '/documents',
    name: 'documents',
    component: () => import('../views/DocumentsView.vue'),
    meta: { roles: DIGITISE },
  },
  { path: '/verify', name: 'verify', component: () => import('../views/VerifyView.vue'), meta: { roles: DIGITISE } },
  {
    path: '/kiosk',
    name: 'kiosk',
    component: () => import('../views/KioskView.vue'),
    meta: { roles: DESK, bare: true },
  },
  {
    path: '/rate',
    name: 'rate',
    component: () => import('../views/RatingView.vue'),
    meta: { roles: DESK, bare: true },
  },
  { path: '/display', name: 'display', component: () => import('../views/DisplayView.vue'), meta: { bare: true } },
  { path: '/sync', name: 'sync', component: () => import('../views/SyncView.vue') },
  { path: '/today', name: 'today', component: () => import('../views/TodayView.vue') },
  { path: '/search', name: 'search', component: () => import('../views/SearchView.vue'), meta: { roles: STAFF } },
  {
    path: '/returns/:code?',
    name: 'returns',
    component: () => import('../views/ReturnsView.vue'),
    props: true,
    meta: { roles: DESK },
  },
  { path: '/dossier/:code', name: 'dossier', component: () => import('../views/DossierView.vue'), props: true },
  { path: '/:rest(.*)*', redirect: '/intake' },
];

/** Hash history: works for the file the Electron shell loads and for the page the core serves. */
export function createAppRouter(pinia: Pinia, history: RouterHistory = createWebHashHistory()) {
  const router = createRouter({ history, routes });
  router.beforeEach(async (to) => {
    const session = useSessionStore(pinia);
    await session.ensure();
    const user = session.user;
    if (to.meta.public) return user && to.name === 'login' ? session.homePath : true;
    if (!user) return { name: 'login', query: to.fullPath !== '/intake' ? { next: to.fullPath } : {} };
    // A tab narrowed to a wall screen stays on it: the core would refuse every other page's calls.
    if (session.wallScreen !== null && to.path !== session.wallScreen) return session.wallScreen;
    if (to.meta.roles && !to.meta.roles.includes(user.role)) return session.homePath;
    return true;
  });
  return router;
}
