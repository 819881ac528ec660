import { createApp } from 'vue';
import DemoApp from './DemoApp.vue';

createApp(DemoApp).mount('#demo');
