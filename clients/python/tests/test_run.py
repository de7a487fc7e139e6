"""A run logs metrics, parameters, tags, others and assets, and ends: checked back through GraphQL."""
from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path
from typing import Any, Dict

import trackql

from .gateway import Gateway
from .support import download, history

PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


class RunTest(unittest.TestCase):
    gateway: Gateway
    client: trackql.Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.gateway = Gateway().start()
        cls.client = trackql.Client(cls.gateway.url)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.gateway.close()

    def start(self, **kwargs: object) -> trackql.Run:
        options: Dict[str, Any] = {"workspace": "ml", "project": f"p-{uuid.uuid4().hex[:8]}", "url": self.gateway.url, **kwargs}
        return trackql.start_run(**options)  # type: ignore[arg-type]

    def experiment(self, key: str, fields: str) -> Dict[str, Any]:
        found: Dict[str, Any] =  self.client.query(f"query($k: String!) {{ experiment(key: $k) {{ {fields} }} }}", {"k": key})["experiment"]
        return found

    def test_metrics_keep_nan_infinity_contexts_and_epochs(self) -> None:
        with self.start(name="values") as run:
            run.log_metric("loss", 0.42, step=10, context="train")
            run.log_metrics({"acc": 0.91, "loss": float("nan")}, step=11)
            run.log_metric("loss", math.inf, step=12, epoch=3)
            run.log_metric("loss", -math.inf, step=13, context="validate")
            run.log_metric("loss", 7, step=14)
        # Each context is a series of its own; without one, the default context's points.
        self.assertEqual(history(self.client, run.key, "loss"), [
            {"step": 11, "value": None, "nonFinite": "NAN", "context": None, "epoch": None},
            {"step": 12, "value": None, "nonFinite": "INFINITY", "context": None, "epoch": 3},
            {"step": 14, "value": 7.0, "nonFinite": None, "context": None, "epoch": None},
        ])
        self.assertEqual(history(self.client, run.key, "loss", "train"),
                         [{"step": 10, "value": 0.42, "nonFinite": None, "context": "train", "epoch": None}])
        self.assertEqual(history(self.client, run.key, "loss", "validate"),
                         [{"step": 13, "value": None, "nonFinite": "NEGATIVE_INFINITY", "context": "validate", "epoch": None}])
        self.assertEqual(history(self.client, run.key, "acc"),
                         [{"step": 11, "value": 0.91, "nonFinite": None, "context": None, "epoch": None}])

    def test_points_of_one_step_keep_their_logged_order_across_batches(self) -> None:
        run = self.start(batch_size=7, flush_interval=60)
        values = [float(i) for i in range(50)]
        for v in values:  # all at one step: only the logged order (timestamps) orders them
            run.log_metric("lr", v, step=5)
        run.end()
        self.assertEqual([p["value"] for p in history(self.client, run.key, "lr")], values)

    def test_a_full_batch_is_sent_without_waiting_for_the_interval(self) -> None:
        run = self.start(batch_size=5, flush_interval=300)
        for step in range(5):
            run.log_metric("loss", 1.0 / (step + 1), step=step)
        deadline = time.monotonic() + 10
        while len(history(self.client, run.key, "loss")) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual([p["step"] for p in history(self.client, run.key, "loss")], [0, 1, 2, 3, 4])
        run.end()

    def test_points_are_sent_after_the_flush_interval(self) -> None:
        run = self.start(batch_size=1000, flush_interval=0.3)
        run.log_metric("loss", 0.5, step=1)
        deadline = time.monotonic() + 10
        while not history(self.client, run.key, "loss") and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(history(self.client, run.key, "loss")), 1)
        run.end()

    def test_flush_stores_buffered_points_at_once(self) -> None:
        run = self.start(batch_size=1000, flush_interval=300)
        run.log_metrics({"a": 1, "b": 2}, step=0)
        self.assertEqual(history(self.client, run.key, "a"), [])
        run.flush()
        self.assertEqual(len(history(self.client, run.key, "a")), 1)
        self.assertEqual(len(history(self.client, run.key, "b")), 1)
        run.end()

    def test_parameters_tags_and_others_are_stored(self) -> None:
        with self.start(name="attrs", parameters={"lr": 1e-3}, tags=["baseline"]) as run:
            run.log_parameters({"batch": 32, "layers": [64, 64], "opt": {"name": "adam"}})
            run.log_parameter("seed", 7)
            run.add_tags(["resnet", "gpu"])
            run.log_other("note", "first try")
            run.log_others({"commit": "abc123", "count": 3})
        found = self.experiment(run.key, "name status tags parameters { name value } others { key value }")
        self.assertEqual(found["name"], "attrs")
        self.assertEqual(sorted(found["tags"]), ["baseline", "gpu", "resnet"])
        self.assertEqual({p["name"]: p["value"] for p in found["parameters"]},
                         {"lr": "0.001", "batch": "32", "layers": "[64,64]", "opt": '{"name":"adam"}', "seed": "7"})
        self.assertEqual({o["key"]: o["value"] for o in found["others"]}, {"note": "first try", "commit": "abc123", "count": "3"})

    def test_nan_parameters_are_refused_before_anything_is_sent(self) -> None:
        with self.start() as run:
            with self.assertRaisesRegex(ValueError, "parameter 'lr'.*NaN"):
                run.log_parameters({"lr": float("nan")})
            with self.assertRaises(ValueError):
                run.log_metric("loss", 1.0, step=-1)
            with self.assertRaises(TypeError):
                run.log_metric("loss", "high", step=1)
        self.assertEqual(self.experiment(run.key, "parameters { name }")["parameters"], [])

    def test_assets_download_back_byte_for_byte(self) -> None:
        payload = os.urandom(3 * 1024 * 1024 + 17)
        with tempfile.NamedTemporaryFile(suffix=".pt", delete=False) as f:
            f.write(payload)
        try:
            with self.start() as run:
                stored = run.log_asset(f.name, model_name="clf")
                small = run.log_asset(io.BytesIO(b"hello"), "notes/readme.txt", metadata={"kind": "text"}, step=3)
        finally:
            os.unlink(f.name)
        self.assertEqual(stored["size"], len(payload))
        assets = self.experiment(run.key, "assets { nodes { assetId fileName size step metadata downloadUrl } } "
                                          "models { name assets { assetId } }")
        by_id = {a["assetId"]: a for a in assets["assets"]["nodes"]}
        self.assertEqual(download(by_id[stored["assetId"]]["downloadUrl"]), payload)
        self.assertEqual(by_id[stored["assetId"]]["fileName"], os.path.basename(f.name))
        self.assertEqual(download(by_id[small["assetId"]]["downloadUrl"]), b"hello")
        self.assertEqual((by_id[small["assetId"]]["fileName"], by_id[small["assetId"]]["step"],
                          by_id[small["assetId"]]["metadata"]), ("notes/readme.txt", 3, {"kind": "text"}))
        self.assertEqual(assets["models"], [{"name": "clf", "assets": [{"assetId": stored["assetId"]}]}])

    def test_a_large_asset_is_streamed_not_read_into_memory(self) -> None:
        # In a process of its own, so that its peak memory is its own.
        script = f"""
import hashlib, os, resource, sys, tempfile, trackql
size = 64 * 1024 * 1024
with tempfile.NamedTemporaryFile(delete=False) as f:
    block = os.urandom(1024 * 1024)
    digest = hashlib.sha256()
    for _ in range(size // len(block)):
        f.write(block)
        digest.update(block)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with trackql.start_run(workspace="ml", project="big", url={self.gateway.url!r}) as run:
    asset = run.log_asset(f.name)
grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
os.unlink(f.name)
print(asset["size"] == size and asset["sha256"] == digest.hexdigest(), grown_kib)
"""
        env = {**os.environ, "PYTHONPATH": PACKAGE_DIR}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        stored_whole, grown_kib = done.stdout.split()
        self.assertEqual(stored_whole, "True")
        self.assertLess(int(grown_kib), 16 * 1024, "uploading 64 MiB grew the process by more than 16 MiB")

    def test_end_sets_the_status_and_a_child_run_names_its_parent(self) -> None:
        parent = self.start(name="sweep")
        child = self.start(name="trial", parent=parent)
        child.end(status="CRASHED")
        parent.end()
        parent.end()  # ending twice does nothing
        found = self.experiment(parent.key, "status endedAt children { key status parent { key } }")
        self.assertEqual(found["status"], "FINISHED")
        self.assertIsNotNone(found["endedAt"])
        self.assertEqual(found["children"], [{"key": child.key, "status": "CRASHED", "parent": {"key": parent.key}}])
        with self.assertRaises(RuntimeError):
            parent.log_metric("loss", 1.0, step=1)

    def test_an_exception_in_the_with_block_ends_the_run_failed(self) -> None:
        run = self.start()
        with self.assertRaisesRegex(KeyError, "boom"):
            with run:
                run.log_metric("loss", 0.3, step=1)
                raise KeyError("boom")
        found = self.experiment(run.key, "status metric(name: \"loss\") { count }")
        self.assertEqual(found, {"status": "FAILED", "metric": {"count": 1}})

    def test_background_errors_are_raised_by_the_next_call_and_by_end(self) -> None:
        run = self.start(batch_size=1, flush_interval=0.05)
        self.client.query("mutation($i: ExperimentKeyInput!) { deleteExperiment(input: $i) { deletedKey } }",
                          {"i": {"experimentKey": run.key}})
        run.log_metric("loss", 0.1, step=1)  # sent in the background, refused: NOT_FOUND
        deadline = time.monotonic() + 10
        raised = None
        while raised is None and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                run.log_metric("loss", 0.2, step=2)
            except trackql.GraphQLError as err:
                raised = err
        self.assertIsNotNone(raised)
        assert raised is not None
        self.assertEqual(raised.code, "NOT_FOUND")
        with self.assertRaises(trackql.GraphQLError) as ended:
            run.end()
        self.assertEqual(ended.exception.code, "NOT_FOUND")

    def test_client_query_raises_typed_errors_with_the_code(self) -> None:
        with self.assertRaises(trackql.GraphQLError) as missing:
            self.client.query('mutation { logMetrics(input: { experimentKey: "nope", points: [{ name: "a", value: 1, step: 0 }] }) { accepted } }')
        self.assertEqual((missing.exception.code, missing.exception.path), ("NOT_FOUND", ["logMetrics"]))
        with self.assertRaises(trackql.GraphQLError) as malformed:
            self.client.query("{ experiment(key: 1) { nope } }")
        self.assertEqual(malformed.exception.code, "BAD_USER_INPUT")
        self.assertIsNone(self.client.query('{ experiment(key: "nope") { key } }')["experiment"])

    def test_url_and_api_key_default_to_the_environment(self) -> None:
        saved = os.environ.get("TRACKQL_URL")
        os.environ["TRACKQL_URL"] = self.gateway.url + "/graphql"
        try:
            run = trackql.start_run(workspace="ml", project="env")
        finally:
            if saved is None:
                del os.environ["TRACKQL_URL"]
            else:
                os.environ["TRACKQL_URL"] = saved
        run.end()
        self.assertEqual(self.experiment(run.key, "status")["status"], "FINISHED")

    def test_buffered_points_are_flushed_at_interpreter_exit(self) -> None:
        script = ("import trackql\n"
                  f"run = trackql.start_run(workspace='ml', project='exit', url={self.gateway.url!r}, flush_interval=300)\n"
                  "for s in range(25): run.log_metric('loss', s / 10, step=s)\n"
                  "print(run.key)\n")  # exits without flush or end
        env = {**os.environ, "PYTHONPATH": PACKAGE_DIR}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        key = done.stdout.strip()
        self.assertEqual([p["step"] for p in history(self.client, key, "loss")], list(range(25)))
