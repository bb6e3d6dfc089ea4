// Code locations: status, load errors, reload.
import { Empty, ErrorBox, Loading, StatusTag } from "../app/components";
import { useMutation, useQuery } from "../app/useQuery";
import { gql } from "../graphql/client";
import type { LocationsPageQuery, ReloadCodeLocationMutation } from "../graphql/generated";

const LOCATIONS_PAGE_QUERY = gql`
  query LocationsPage {
    codeLocations {
      name
      status
      error
      snapshotId
      assetCount
    }
  }
`;

const RELOAD_MUTATION = gql`
  mutation ReloadCodeLocation($name: String!) {
    reloadCodeLocation(name: $name) {
      name
      status
      error
    }
  }
`;

export function LocationsPage() {
  const { data, error, loading, refetch } = useQuery<LocationsPageQuery>(LOCATIONS_PAGE_QUERY, {}, { pollMs: 10000 });
  const reload = useMutation<ReloadCodeLocationMutation>(RELOAD_MUTATION);
  return (
    <div className="page">
      <header className="page-header">
        <h1>Code locations</h1>
      </header>
      <ErrorBox error={error ?? reload.error} />
      {loading && !data && <Loading />}
      {data && data.codeLocations.length === 0 && <Empty>No code locations.</Empty>}
      {data?.codeLocations.map((loc) => (
        <section key={loc.name} className="card location" data-testid={`location-${loc.name}`}>
          <header className="card-header">
            <h2>
              {loc.name} <StatusTag status={loc.status} />
            </h2>
            <div className="card-actions">
              <span className="muted">
                {loc.assetCount} assets{loc.snapshotId ? ` · snapshot ${loc.snapshotId.slice(0, 10)}` : ""}
              </span>
              <button
                className="button"
                disabled={reload.pending}
                onClick={async () => {
                  await reload.mutate({ name: loc.name });
                  await refetch();
                }}
              >
                {reload.pending ? "Reloading…" : "Reload"}
              </button>
            </div>
          </header>
          {loc.error && (
            <div className="card-body">
              <pre className="traceback">{loc.error}</pre>
            </div>
          )}
        </section>
      ))}
    </div>
  );
}
