"""dbt models as assetgraph assets. Depends on assetgraph's public API only.

Importing this package never imports dbt: manifests are read as JSON, and dbt-core is
imported only when a parse or a run is needed.

    project = DbtProject("dbt_project").prepare()

    @dbt_assets(manifest=project.manifest_path)
    def warehouse(context, dbt: DbtCliResource):
        yield from dbt.cli(["build"], context=context).stream()

    defs = Definitions(assets=[warehouse, *warehouse.source_specs],
                       resources={"dbt": DbtCliResource(project_dir="dbt_project")})
"""

from assetgraph_dbt.assets import dbt_assets as dbt_assets
from assetgraph_dbt.cli import DbtCliError as DbtCliError
from assetgraph_dbt.cli import DbtCliInvocation as DbtCliInvocation
from assetgraph_dbt.cli import DbtCliResource as DbtCliResource
from assetgraph_dbt.manifest import DbtManifest as DbtManifest
from assetgraph_dbt.project import DbtProject as DbtProject
from assetgraph_dbt.translator import DbtTranslator as DbtTranslator

__all__ = ["DbtCliError", "DbtCliInvocation", "DbtCliResource", "DbtManifest", "DbtProject", "DbtTranslator",
           "dbt_assets"]
