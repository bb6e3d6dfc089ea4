// The app shell: navigation and routes.
import { AssetGraphPage } from "./asset-graph/AssetGraphPage";
import { AssetPage } from "./assets/AssetPage";
import { AutomationPage } from "./automation/AutomationPage";
import { BackfillPage } from "./backfills/BackfillPage";
import { BackfillsPage } from "./backfills/BackfillsPage";
import { Empty } from "./app/components";
import { Link, useLocation } from "./app/router";
import { LocationsPage } from "./locations/LocationsPage";
import { RunPage } from "./runs/RunPage";
import { RunsPage } from "./runs/RunsPage";

const NAV = [
  { to: "/", label: "Lineage", match: (p: string) => p === "/" || p.startsWith("/assets") },
  { to: "/runs", label: "Runs", match: (p: string) => p.startsWith("/runs") },
  { to: "/backfills", label: "Backfills", match: (p: string) => p.startsWith("/backfills") },
  { to: "/automation", label: "Automation", match: (p: string) => p.startsWith("/automation") },
  { to: "/locations", label: "Locations", match: (p: string) => p.startsWith("/locations") },
];

function route(pathname: string) {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return <AssetGraphPage />;
  const [head, ...rest] = parts;
  if (head === "assets" && rest.length) return <AssetPage key={rest.join("/")} path={rest} />;
  if (head === "runs" && rest.length === 0) return <RunsPage />;
  if (head === "runs" && rest.length === 1) return <RunPage key={rest[0]} runId={rest[0]} />;
  if (head === "backfills" && rest.length === 0) return <BackfillsPage />;
  if (head === "backfills" && rest.length === 1) return <BackfillPage key={rest[0]} backfillId={rest[0]} />;
  if (head === "automation") return <AutomationPage />;
  if (head === "locations") return <LocationsPage />;
  return <Empty>Nothing at {pathname}.</Empty>;
}

export function App() {
  const { pathname } = useLocation();
  const isGraph = pathname === "/";
  return (
    <div className={`app${isGraph ? " full" : ""}`}>
      <nav className="topbar">
        <Link to="/" className="brand">
          <svg width="20" height="20" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M4 8 L12 4 M4 8 L12 12" stroke="currentColor" strokeWidth="1.2" />
            <circle cx="4" cy="8" r="2.6" fill="var(--accent)" />
            <circle cx="12" cy="4" r="2.6" fill="var(--green)" />
            <circle cx="12" cy="12" r="2.6" fill="var(--green)" />
          </svg>
          assetgraph
        </Link>
        {NAV.map((n) => (
          <Link key={n.to} to={n.to} className={`nav-link${n.match(pathname) ? " active" : ""}`} aria-current={n.match(pathname) ? "page" : undefined}>
            {n.label}
          </Link>
        ))}
      </nav>
      <main className="main">{route(pathname)}</main>
    </div>
  );
}
