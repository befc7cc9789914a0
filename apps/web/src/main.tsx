import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import "./styles.css";
import "./styles/thread.css";
import "./styles/composer.css";
import "./styles/settings.css";
import "./styles/memory.css";

// The training dashboard is its own chunk: the chat app's first load does not carry it (or its chart library).
const Admin = lazy(() => import("./admin/Admin.tsx"));
const admin = location.pathname === "/admin" || location.pathname.startsWith("/admin/");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    {admin ? (
      <Suspense fallback={null}>
        <Admin />
      </Suspense>
    ) : (
      <App />
    )}
  </StrictMode>,
);
