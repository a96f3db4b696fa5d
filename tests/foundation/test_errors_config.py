from __future__ import annotations

import pytest

from tradepolicy.config import Settings
from tradepolicy.errors import InputError, NotFoundError, TradePolicyError
from tradepolicy.literals import ExecutorKind, check_literal, options_of


def test_error_names_what_where_expected_example() -> None:
    err = InputError("Malformed date '2020-13-01'.", where="row 3", field="date",
                     expected="YYYY-MM-DD", example="2020-07-01")
    d = err.to_dict()
    assert d == {"type": "bad_input", "message": "Malformed date '2020-13-01'.", "where": "row 3",
                 "field": "date", "expected": "YYYY-MM-DD", "example": "2020-07-01"}
    assert "expected: YYYY-MM-DD" in str(err)
    assert isinstance(err, TradePolicyError) and err.status == 400
    assert NotFoundError("x").status == 404


def test_check_literal_message() -> None:
    assert check_literal("dask", options_of(ExecutorKind), name="executor") == "dask"
    with pytest.raises(InputError, match="Expecting one of") as info:
        check_literal("spark", options_of(ExecutorKind), name="executor")
    assert info.value.field == "executor"


def test_settings_read_prefixed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TRADEPOLICY_EXECUTOR", "process")
    monkeypatch.setenv("TRADEPOLICY_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("TRADEPOLICY_CACHE_DIR", str(tmp_path))
    s = Settings()
    assert s.executor == "process" and s.log_level == "DEBUG" and s.cache_dir == tmp_path


def test_settings_reject_unknown_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEPOLICY_EXECUTOR", "spark")
    with pytest.raises(ValueError, match="executor"):
        Settings()


def test_default_database_is_sqlite_in_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRADEPOLICY_DATABASE_URL", raising=False)
    url = Settings().database_url
    assert url.startswith("sqlite:///") and url.endswith("tradepolicy/tradepolicy.db")


def test_log_level_setting_configures_the_package_logger(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from tradepolicy.config import configure_logging

    monkeypatch.setenv("TRADEPOLICY_LOG_LEVEL", "WARNING")
    configure_logging(Settings())
    assert logging.getLogger("tradepolicy").level == logging.WARNING
    monkeypatch.setenv("TRADEPOLICY_LOG_LEVEL", "DEBUG")
    configure_logging(Settings())
    assert logging.getLogger("tradepolicy").level == logging.DEBUG
