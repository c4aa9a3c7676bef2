import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { initBridge } from './api';
import { createAppI18n } from './locales';
import { createAppRouter } from './router';
import './styles/app.css';

// Take the launch token out of the URL before the router looks at it.
initBridge();

const pinia = createPinia();
const i18n = createAppI18n();
document.documentElement.lang = i18n.global.locale.value;

createApp(App).use(pinia).use(i18n).use(createAppRouter(pinia)).mount('#app');
