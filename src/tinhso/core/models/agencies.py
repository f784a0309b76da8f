from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.text import fold


class AgencyQuerySet(models.QuerySet):
    def active(self) -> "AgencyQuerySet":
        return self.filter(is_active=True)


class Agency(models.Model):
    """A government body: the provincial committee, a department, a commune committee, a unit below."""

    class Kind(models.TextChoices):
        PROVINCE_COMMITTEE = "province_committee", _("UBND tỉnh")
        OFFICE = "office", _("Văn phòng")
        DEPARTMENT = "department", _("Sở, ban, ngành")
        SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
        COMMUNE_COMMITTEE = "commune_committee", _("UBND cấp xã")
        SUB_UNIT = "sub_unit", _("Đơn vị trực thuộc")
        OTHER = "other", _("Cơ quan khác")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    search_name = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("loại"), max_length=24, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit = models.ForeignKey(
        "core.AdminUnit",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang thông tin"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    def ancestors(self) -> list["Agency"]:
        """Return the chain of parents, nearest first."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def descendant_ids(self) -> set[int]:
        """Return the ids of this agency and everything below it."""
        found, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Agency.objects.filter(parent_id__in=frontier).exclude(pk__in=found).values_list("pk", flat=True)
            )
            found.update(frontier)
        return found
