"""Failures between the client and the gateway: retried with backoff, and no point is ever stored twice."""
from __future__ import annotations

import json
import signal
import threading
import time
import unittest
from typing import Dict, Optional

import trackql

from .gateway import Gateway
from .support import FaultProxy, fast_retry, history

COUNT = 'query($w: String!, $p: String!) { project(workspace: $w, name: $p) { experimentCount } }'


class ProxyRetryTest(unittest.TestCase):
    """A proxy in front of one gateway answers 503s or answers late."""

    gateway: Gateway
    client: trackql.Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.gateway = Gateway().start()
        cls.client = trackql.Client(cls.gateway.url)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.gateway.close()

    def proxy(self, **kwargs: object) -> FaultProxy:
        proxy = FaultProxy(self.gateway.url, **kwargs)  # type: ignore[arg-type]
        self.addCleanup(proxy.close)
        return proxy

    def test_503_answers_are_retried_and_the_run_is_created_once(self) -> None:
        proxy = self.proxy(fail_first=3)
        run = trackql.start_run(workspace="ml", project="flaky", url=proxy.url, retry=fast_retry())
        run.log_metrics({"loss": 0.5, "acc": 0.7}, step=1)
        run.end()
        self.assertEqual(proxy.actions()[:4], ["fail", "fail", "fail", "pass"])
        self.assertEqual(self.client.query(COUNT, {"w": "ml", "p": "flaky"})["project"]["experimentCount"], 1)
        self.assertEqual(len(history(self.client, run.key, "loss")), 1)

    def test_metrics_travel_in_column_form_with_nonfinite_and_never_a_bare_nan(self) -> None:
        proxy = self.proxy()
        # The store has no key yet, so it is open and lets any key through; the header is what is checked here.
        run = trackql.start_run(workspace="ml", project="wire", url=proxy.url, api_key="tqk_wire",
                                batch_size=1000, flush_interval=300)
        run.log_metrics({"loss": float("nan"), "acc": 0.5}, step=0, context="train")
        run.log_metric("loss", float("inf"), step=1, context="train")
        run.log_metric("loss", 0.25, step=2)
        run.flush()

        def refuse(constant: str) -> None:
            raise AssertionError(f"bare {constant} in a request body")

        sent = json.loads(proxy.bodies[-1], parse_constant=refuse)["variables"]["input"]
        self.assertNotIn("points", sent)
        self.assertEqual(len(sent["idempotencyKey"]), 36)
        series = {(s["name"], s.get("context")): s for s in sent["series"]}
        self.assertEqual(set(series), {("acc", "train"), ("loss", None), ("loss", "train")})
        self.assertEqual((series["loss", "train"]["steps"], series["loss", "train"]["values"], series["loss", "train"]["nonFinite"]),
                         ([0, 1], [None, None], ["NAN", "INFINITY"]))
        self.assertEqual((series["loss", None]["values"], "nonFinite" in series["loss", None]), ([0.25], False))
        self.assertEqual(len(series["acc", "train"]["timestamps"]), 1)
        self.assertEqual({h["authorization"] for h in proxy.headers}, {"Bearer tqk_wire"})
        self.assertEqual({h["content-type"] for h in proxy.headers}, {"application/json"})
        run.end()

    def test_a_5xx_with_graphql_errors_is_retried_then_raised_with_its_code_and_mutations_only_on_request(self) -> None:
        body = b'{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'
        proxy = self.proxy(fail_first=2, status=500, body=body)
        run = trackql.start_run(workspace="ml", project="errors500", url=proxy.url, retry=fast_retry())
        run.end()
        self.assertEqual(proxy.actions()[:3], ["fail", "fail", "pass"])
        stubborn = self.proxy(fail_first=1000, status=500, body=body)
        client = trackql.Client(stubborn.url, retry=trackql.RetryPolicy(max_attempts=3, initial_backoff=0.01))
        with self.assertRaises(trackql.GraphQLError) as failed:
            client.query("{ workspaces { name } }")
        self.assertEqual((failed.exception.code, failed.exception.status), ("INTERNAL_SERVER_ERROR", 500))
        self.assertEqual(stubborn.actions(), ["fail"] * 3)
        # A mutation sent through query() may have run: without retry=True (and an idempotencyKey) it is sent once.
        with self.assertRaises(trackql.GraphQLError):
            client.query('mutation { addTags(input: { experimentKey: "k", tags: ["t"] }) { tags } }')
        self.assertEqual(stubborn.actions(), ["fail"] * 4)

    def test_retry_after_is_waited_out_and_a_503_batch_is_stored_once(self) -> None:
        run = trackql.start_run(workspace="ml", project="later", url=self.gateway.url, batch_size=1000, flush_interval=300)
        # Through the proxy from here on: the first logMetrics call gets 503 with Retry-After: 1.
        proxy = self.proxy(fail_first=1, retry_after="1")
        run.client = trackql.Client(proxy.url, retry=fast_retry())
        for step in range(10):
            run.log_metric("loss", step / 10, step=step)
        run.flush()
        (failed_at, first), (retried_at, second) = proxy.seen[:2]
        self.assertEqual((first, second), ("fail", "pass"))
        self.assertGreaterEqual(retried_at - failed_at, 1.0)
        self.assertEqual(proxy.bodies[0], proxy.bodies[1])  # the same batch, with the same idempotency key
        self.assertEqual([p["step"] for p in history(self.client, run.key, "loss")], list(range(10)))
        run.end()

    def test_a_timed_out_batch_is_retried_with_its_idempotency_key_and_stored_once(self) -> None:
        # The gateway stores the first attempt but its answer comes too late: the retry must replay, not add.
        proxy = self.proxy(after=1, slow_first=1, delay=0.8)
        client = trackql.Client(proxy.url, timeout=0.3, retry=fast_retry())
        run = trackql.start_run(workspace="ml", project="slow", client=client, batch_size=1000, flush_interval=300)
        for step in range(20):
            run.log_metric("loss", float(step), step=step)
        run.flush()
        self.assertEqual(proxy.actions()[:3], ["pass", "slow", "pass"])
        self.assertEqual([p["step"] for p in history(self.client, run.key, "loss")], list(range(20)))
        run.end()


class GatewayFailureTest(unittest.TestCase):
    """The gateway itself limits, stops or dies."""

    def setUp(self) -> None:
        self.gateway = Gateway()
        self.addCleanup(self.gateway.close)
        self.client = trackql.Client(self.gateway.url)

    def start_gateway(self, env: Optional[Dict[str, str]] = None) -> None:
        self.gateway.env.update(env or {})
        self.gateway.start()
        self.client = trackql.Client(self.gateway.url)

    def test_rate_limited_answers_wait_for_retry_after(self) -> None:
        self.start_gateway({"TRACKQL_RATE_LIMIT": "1", "TRACKQL_RATE_LIMIT_BURST": "1"})
        impatient = trackql.Client(self.gateway.url, retry=trackql.RetryPolicy(max_attempts=1))
        patient = trackql.Client(self.gateway.url, retry=fast_retry())
        impatient.query("{ workspaces { name } }")
        with self.assertRaises(trackql.RateLimitedError) as limited:
            impatient.query("{ workspaces { name } }")
        self.assertEqual((limited.exception.code, limited.exception.status), ("RATE_LIMITED", 429))
        assert limited.exception.retry_after is not None
        self.assertGreaterEqual(limited.exception.retry_after, 1)
        started = time.monotonic()
        self.assertEqual(patient.query("{ workspaces { name } }"), {"workspaces": []})
        self.assertGreaterEqual(time.monotonic() - started, 0.9)

    def test_refused_connections_keep_the_points_until_the_gateway_is_back(self) -> None:
        self.start_gateway()
        run = trackql.start_run(workspace="ml", project="down", url=self.gateway.url, batch_size=1000,
                                flush_interval=300, retry=fast_retry(max_elapsed=0.5))
        self.gateway.kill(signal.SIGTERM)
        for step in range(30):
            run.log_metric("loss", step / 30, step=step)
        with self.assertRaises(trackql.TransportError) as refused:
            run.flush()
        self.assertEqual(refused.exception.code, "CONNECTION_FAILED")
        self.gateway.start()
        run.flush()  # the kept batch goes out again with its idempotency key
        self.assertEqual([p["step"] for p in history(self.client, run.key, "loss")], list(range(30)))
        # And while it is down, retries wait for it: end() returns once a restarted gateway took everything.
        run.client = trackql.Client(self.gateway.url, retry=fast_retry())
        self.gateway.kill(signal.SIGTERM)
        run.log_metric("loss", 1.0, step=30)
        threading.Timer(0.5, self.gateway.start).start()
        run.end()
        self.assertEqual([p["step"] for p in history(self.client, run.key, "loss")], list(range(31)))

    def test_every_point_is_stored_exactly_once_when_the_gateway_is_killed_mid_run(self) -> None:
        self.start_gateway()
        total = 2000
        run = trackql.start_run(workspace="ml", project="crash", url=self.gateway.url, batch_size=25,
                                flush_interval=0.05, retry=fast_retry(max_elapsed=30))
        killed = threading.Event()

        def train() -> None:
            for step in range(total):
                run.log_metrics({"loss": 1.0 / (step + 1), "acc": step / total}, step=step)
                if step == total // 2:
                    killed.wait(20)  # the second half is logged while the gateway is down and coming back
                if step % 10 == 0:
                    time.sleep(0.002)

        trainer = threading.Thread(target=train)
        trainer.start()
        deadline = time.monotonic() + 20
        stored = 0
        while stored < 200 and time.monotonic() < deadline:
            time.sleep(0.02)
            stored = len(history(self.client, run.key, "loss"))
        self.gateway.kill(signal.SIGKILL)
        # Killed mid-run: some points stored, the trainer held at half-way until the kill, the rest to come.
        self.assertTrue(200 <= stored <= total // 2 + 1, stored)
        killed.set()
        time.sleep(0.3)
        self.gateway.start()  # same port, same data dir
        trainer.join()
        run.end()
        for name in ("loss", "acc"):
            self.assertEqual([p["step"] for p in history(self.client, run.key, name)], list(range(total)), name)
        found = self.client.query('query($k: String!) { experiment(key: $k) { status metric(name: "loss") { count } } }',
                                  {"k": run.key})["experiment"]
        self.assertEqual(found, {"status": "FINISHED", "metric": {"count": total}})
