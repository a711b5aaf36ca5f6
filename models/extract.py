#!/usr/bin/env python3
"""Extract compact AWS service models from an installed botocore.

Keeps what berth needs (operations, shapes, constraints, errors, paginators, waiters) and
drops the documentation. Usage: extract.py [BOTOCORE_DATA_DIR]; writes models/<service>.json.
"""
import gzip, json, os, sys

SERVICES = {
    "ecs": "2014-11-13", "ecr": "2015-09-21", "logs": "2014-03-28", "iam": "2010-05-08", "sts": "2011-06-15",
    "elbv2": "2015-12-01", "cloudwatch": "2010-08-01", "application-autoscaling": "2016-02-06",
}
DROP = {"documentation", "documentationUrl", "deprecatedMessage", "examples", "endpointdiscovery"}


def load(path):
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rt") as f:
            return json.load(f)
    return None


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    if len(sys.argv) > 1:
        data = sys.argv[1]
    else:
        import botocore
        data = os.path.join(os.path.dirname(botocore.__file__), "data")
    version = "unknown"
    try:
        sys.path.insert(0, os.path.dirname(os.path.dirname(data)))
        import botocore
        version = botocore.__version__
    except ImportError:
        pass
    out_dir = os.path.dirname(os.path.abspath(__file__))
    for svc, api in SERVICES.items():
        base = os.path.join(data, svc, api)
        model = strip(load(os.path.join(base, "service-2.json")))
        model["paginators"] = (load(os.path.join(base, "paginators-1.json")) or {}).get("pagination", {})
        model["waiters"] = (load(os.path.join(base, "waiters-2.json")) or {}).get("waiters", {})
        model["botocoreVersion"] = version
        with open(os.path.join(out_dir, svc + ".json"), "w") as f:
            json.dump(model, f, separators=(",", ":"))
            f.write("\n")
        print(f"{svc}: {len(model['operations'])} operations, {len(model['shapes'])} shapes (botocore {version})")


if __name__ == "__main__":
    main()
