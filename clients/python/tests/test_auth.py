"""API keys: sent as ``Authorization: Bearer``, from the argument or ``$TRACKQL_API_KEY``."""
from __future__ import annotations

import os
import unittest
from unittest import mock

import trackql

from .gateway import Gateway


class ApiKeyTest(unittest.TestCase):
    gateway: Gateway
    key: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.gateway = Gateway()
        cls.key = cls.gateway.create_key(role="write", workspace="ml")
        cls.gateway.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.gateway.close()

    def test_a_run_logs_with_the_key_it_was_given(self) -> None:
        with trackql.start_run(workspace="ml", project="keys", url=self.gateway.url, api_key=self.key) as run:
            run.log_metric("loss", 0.1, step=0)
        reader = trackql.Client(self.gateway.url, self.key)
        found = reader.query('query($k: String!) { experiment(key: $k) { status metric(name: "loss") { count } } }', {"k": run.key})
        self.assertEqual(found["experiment"], {"status": "FINISHED", "metric": {"count": 1}})

    def test_the_key_defaults_to_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"TRACKQL_API_KEY": self.key}):
            run = trackql.start_run(workspace="ml", project="env-key", url=self.gateway.url)
            client = trackql.Client(self.gateway.url)
        run.end()
        self.assertEqual(client.query("{ workspaces { name } }"), {"workspaces": [{"name": "ml"}]})

    def test_a_missing_or_wrong_key_is_unauthenticated_and_not_retried(self) -> None:
        with mock.patch.dict(os.environ, {"TRACKQL_API_KEY": ""}):
            for key in (None, "tqk_wrong"):
                with self.assertRaises(trackql.GraphQLError) as refused:
                    trackql.start_run(workspace="ml", project="keys", url=self.gateway.url, api_key=key)
                self.assertEqual((refused.exception.code, refused.exception.status), ("UNAUTHENTICATED", 401))

    def test_a_workspace_without_a_grant_is_forbidden(self) -> None:
        with self.assertRaises(trackql.GraphQLError) as refused:
            trackql.start_run(workspace="other", project="keys", url=self.gateway.url, api_key=self.key)
        self.assertEqual(refused.exception.code, "FORBIDDEN")
