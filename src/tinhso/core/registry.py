"""Explicit registries that modules fill from their AppConfig.ready(): home-page entries, health checks, figures."""

from collections.abc import Callable
from dataclasses import dataclass

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
