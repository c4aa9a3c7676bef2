import { mount, type ComponentMountingOptions } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { setApiForTests } from '../api';
import { createAppI18n } from '../locales';
import { createFakeApi, type FakeApi, type FakeHandlers } from './fake-api';

export interface Harness {
  fake: FakeApi;
  pinia: Pinia;
  router: Router;
}

/** Fresh Pinia + fake core for a store or component test. */
export function setupHarness(handlers: FakeHandlers = {}): Harness {
  globalThis.sessionStorage?.clear();
  const fake = createFakeApi(handlers);
  setApiForTests(fake.api);
  const pinia = createPinia();
  setActivePinia(pinia);
  const stub = { template: '<div />' };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: stub },
      { path: '/login', name: 'login', component: stub },
      { path: '/intake', component: stub },
      { path: '/digitise', component: stub },
      { path: '/documents', component: stub },
      { path: '/verify', component: stub },
      { path: '/kiosk', component: stub, meta: { bare: true } },
      { path: '/display', component: stub, meta: { bare: true } },
      { path: '/rate', component: stub, meta: { bare: true } },
      { path: '/sync', component: stub },
      { path: '/today', component: stub },
      { path: '/search', component: stub },
      { path: '/dossier/:code', component: stub },
    ],
  });
  return { fake, pinia, router };
}

export function mountWith<C extends Component>(
  component: C,
  harness: Harness,
  options: ComponentMountingOptions<C> = {},
) {
  return mount(component, {
    attachTo: document.body,
    ...options,
    global: { plugins: [harness.pinia, createAppI18n('vi'), harness.router], ...(options.global ?? {}) },
  } as ComponentMountingOptions<C>);
}

export async function settle(times = 5): Promise<void> {
  for (let i = 0; i < times; i += 1) await new Promise((r) => setTimeout(r, 0));
}
