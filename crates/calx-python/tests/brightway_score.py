"""Import a `calx lca export --format brightway` file with Brightway's own packages and print,
as JSON, the score of one functional unit in each of Calx's categories, computed twice:

* `standard`: `bw2calc.LCA({fu: 1}, method)` on the imported project as Brightway does it.
  bw2data stores matrix amounts as float32 (bw_processing's `resolve_dict_iterator`), so
  this agrees with Calx's float64 result only to about 1e-7 relative.
* `float64`: the same bw2calc LCA over the technosphere and biosphere exchanges read back
  from the imported database at their stored float64 values (a bw_processing datapackage),
  characterised with the imported method's factors.

Run as a separate process by test_lca_export.py: bw2data reads BRIGHTWAY2_DIR when it is
imported, and the project it writes must live in a temporary directory of the test.

    python brightway_score.py EXPORT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def float64_inventory(bw2data, bw2calc, database: str, fu):
    """bw2calc's inventory of one functional unit over the imported exchanges in float64."""
    import bw_processing as bwp
    import numpy as np

    tech, bio = [], []
    for a in bw2data.Database(database):
        for e in a.exchanges():
            row = (e.input.id, a.id)
            if e["type"] == "production":
                tech.append((row, e["amount"], False))
            elif e["type"] == "technosphere":
                tech.append((row, e["amount"], True))
            elif e["type"] == "biosphere":
                bio.append((row, e["amount"], False))
    dp = bwp.create_datapackage()
    for matrix, entries in [("technosphere_matrix", tech), ("biosphere_matrix", bio)]:
        dp.add_persistent_vector(
            matrix=matrix,
            indices_array=np.array([r for r, _, _ in entries], dtype=bwp.INDICES_DTYPE),
            data_array=np.array([x for _, x, _ in entries], dtype=np.float64),
            flip_array=np.array([f for _, _, f in entries], dtype=bool),
        )
    lca = bw2calc.LCA({fu.id: 1.0}, data_objs=[dp])
    lca.lci()
    inventory = np.asarray(lca.inventory.sum(axis=1)).ravel()
    return {flow: inventory[i] for flow, i in lca.dicts.biosphere.items()}


def main(export: Path) -> None:
    import bw2calc
    import bw2data
    import bw2io

    bw2data.projects.set_current("calx-export-check")
    # `calx lca export --format brightway` writes the bzip2-compressed file bw2io imports.
    bw2io.BW2Package.import_file(str(export))
    (database,) = [d for d in bw2data.databases if d.startswith("calx ") and not d.endswith(" biosphere")]
    fu = bw2data.get_node(database=database, code="functional unit")
    inventory = float64_inventory(bw2data, bw2calc, database, fu)
    standard, float64 = {}, {}
    for method in bw2data.methods:
        if method[0] != "Calx":
            continue
        lca = bw2calc.LCA({fu: 1.0}, method=method)
        lca.lci()
        lca.lcia()
        standard[method[1]] = float(lca.score)
        factors = {bw2data.get_id(key): cf for key, cf in bw2data.Method(method).load()}
        float64[method[1]] = float(sum(amount * factors.get(flow, 0.0) for flow, amount in inventory.items()))
    print(
        json.dumps(
            {
                "database": database,
                "standard": standard,
                "float64": float64,
                "processes": len(bw2data.Database(database)),
                "flows": len(bw2data.Database(f"{database} biosphere")),
                "metadata": bw2data.databases[database].get("calx", {}),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
