"""Explicit registries that modules fill from their AppConfig.ready(): home-page entries, health checks, figures,
private file stores."""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    key: str
    name: str | Promise
    description: str | Promise
    url_name: str | None = None

    def url(self) -> str | None:
        if not self.url_name:
            return None
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


# The eight modules of Decision 2840/QĐ-UBND, in the order the home page shows them.
# A module that has landed replaces its entry with one naming its URL.
MODULES: dict[str, Module] = {
    m.key: m
    for m in (
        Module("feedback", _("Tổng đài 1022"), _("Phản ánh, kiến nghị và hỏi đáp của người dân")),
        Module("eservices", _("Dịch vụ công trực tuyến"), _("Thủ tục hành chính, nộp và tra cứu hồ sơ")),
        Module("identity", _("Định danh điện tử"), _("Tài khoản dùng chung, đăng nhập một lần")),
        # Core's province map until the maps module lands with its layers.
        Module("maps", _("Bản đồ số"), _("Đơn vị hành chính, lớp dữ liệu và bản đồ dùng chung"), "map"),
        Module("cameras", _("Camera"), _("Camera giám sát và cảnh báo sự cố")),
        Module("insights", _("Nền tảng AI"), _("Phân loại, phát hiện trùng lặp, điểm nóng")),
        Module("skills", _("Năng lực số và hạ tầng số"), _("Đào tạo kỹ năng số, hạ tầng viễn thông")),
        Module("indicators", _("Chỉ số kinh tế – xã hội"), _("Chỉ tiêu, kế hoạch và bảng điều hành")),
    )
}

HEALTH_CHECKS: dict[str, Callable[[], None]] = {}


def register_module(module: Module) -> None:
    MODULES[module.key] = module


def register_health_check(name: str, check: Callable[[], None]) -> None:
    """Register a check that raises on failure; /healthz runs them all."""
    HEALTH_CHECKS[name] = check


@dataclass(frozen=True)
class Figure:
    """A headline number a module offers to dashboards: compute(*, start, end, unit=None, agency=None)."""

    key: str
    label: str | Promise
    unit: str | Promise
    compute: Callable[..., float | int | None]


# Filled by each module's AppConfig.ready(); the operations dashboard reads it without importing module internals.
FIGURES: dict[str, Figure] = {}


def register_figure(
    key: str, label: str | Promise, unit: str | Promise, compute: Callable[..., float | int | None]
) -> Figure:
    """Register (or replace) the figure `key`; `compute` takes start and end dates (inclusive), unit, agency."""
    figure = Figure(key=key, label=label, unit=unit, compute=compute)
    FIGURES[key] = figure
    return figure


# Directories of private files kept outside MEDIA_ROOT (name -> callable returning the root, read at each use).
# `tinhso backup` archives each one as its own section private/<name>/… and `tinhso restore` puts it back.
PRIVATE_STORES: dict[str, Callable[[], Path | str]] = {}
_STORE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def register_private_store(name: str, root: Callable[[], Path | str]) -> None:
    """Register (or replace) a private file store that backups must include; `name` is a lowercase slug."""
    if not _STORE_NAME.match(name):
        raise ValueError(f"private store name must be a lowercase slug: {name!r}")
    PRIVATE_STORES[name] = root


def private_stores() -> dict[str, Path]:
    """Return the registered private stores as {name: absolute root}."""
    return {name: Path(os.path.abspath(root())) for name, root in sorted(PRIVATE_STORES.items())}
