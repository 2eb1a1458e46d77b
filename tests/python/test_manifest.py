"""manifest.json follows docs/manifest.schema.json and its counts balance."""
import json
import pathlib

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_manifest_matches_its_schema(output):
    schema = json.loads((ROOT / "docs" / "manifest.schema.json").read_text())
    manifest = json.loads((output / "manifest.json").read_text())
    jsonschema.validate(manifest, schema)
    assert manifest["input"]["records"] == manifest["input"]["documents"] + manifest["input"]["rejects"]
    for item in manifest["inputs"]:
        assert item["records"] == item["documents"] + item["rejects"]
    # The seeds' 133 figure, place and term mentions and their 10 organisation mentions.
    assert manifest["tables"]["mentions"]["rows"] == 143
