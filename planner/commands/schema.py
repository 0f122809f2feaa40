"""``margin-planner schema``: the JSON Schema of plan files, generated from the models."""

from __future__ import annotations

import argparse
import json

from planner.domain.plan import PLAN_VERSION, Plan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def plan_schema() -> dict:
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Margin Planner plan file, version {PLAN_VERSION}"
    return schema


def run(args: argparse.Namespace) -> int:
    del args
    print(json.dumps(plan_schema(), indent=2, ensure_ascii=False))
    return 0
