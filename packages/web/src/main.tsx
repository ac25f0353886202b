import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import './app/fonts.ts';
import './styles/base.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
// The app shell is precached by the service worker (built by pwa.plugin.ts) so 城管通 opens offline.
// By mode, not PROD: a build started from the test runner inherits NODE_ENV=test, which turns PROD off.
if (import.meta.env.MODE === 'production' && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((e: unknown) => {
    console.warn('service worker not registered:', e);
  });
}
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
