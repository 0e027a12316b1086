import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { StudioProvider } from './state/studio-context.tsx';
import { createStudioClient } from './trpc/client.ts';
import './styles.css';

const { client, transport } = createStudioClient();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <StudioProvider client={client} transport={transport}>
      <App />
    </StudioProvider>
  </StrictMode>,
);
