"""The demo catalogue: about twenty common procedures of the province and its communes (data/procedures.json,
sources cited there), with a first version effective 01/7/2025. Running it again changes nothing."""

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from tinhso.core import audit
from tinhso.core.models import Agency
from tinhso.eservices.catalogue import validate_documents, validate_schema, validate_steps
from tinhso.eservices.models import AuthorityLevel, Procedure, ProcedureVersion, Sector, TimeUnit

DATA = Path(__file__).parent / "data" / "procedures.json"
EFFECTIVE = dt.date(2025, 7, 1)


def steps_for(process: str, hours: int, *, commune: bool) -> list[dict]:
    """Return the internal steps (quy trình nội bộ) of a demo procedure from its process kind and legal hours."""
    handler = "commune_official" if commune else "clerk"
    if process == "same_day":
        return [
            {
                "code": "tiep_nhan",
                "name": "Tiếp nhận, kiểm tra hồ sơ",
                "agency": "receiving",
                "role": "clerk",
                "hours": 1,
            },
            {"code": "xu_ly", "name": "Xử lý hồ sơ", "agency": "", "role": handler, "hours": 4},
            {"code": "ky_duyet", "name": "Lãnh đạo ký duyệt", "agency": "", "role": "leader", "hours": 2},
            {"code": "tra_ket_qua", "name": "Trả kết quả", "agency": "receiving", "role": "clerk", "hours": 1},
        ]
    approve = 8 if hours >= 40 else 4
    field_check = 16 if process == "permit" else 0
    handle = max(1, hours - 4 - approve - 4 - field_check)
    steps = [
        {"code": "tiep_nhan", "name": "Tiếp nhận, kiểm tra hồ sơ", "agency": "receiving", "role": "clerk", "hours": 4},
        {"code": "tham_dinh", "name": "Thẩm định hồ sơ", "agency": "", "role": handler, "hours": handle},
    ]
    if field_check:
        steps[-1]["branch"] = {"label": "Không cần kiểm tra thực địa", "goto": "phe_duyet"}
        steps.append(
            {"code": "thuc_dia", "name": "Kiểm tra thực địa", "agency": "", "role": handler, "hours": field_check}
        )
    steps += [
        {
            "code": "phe_duyet",
            "name": "Lãnh đạo phê duyệt, ký kết quả",
            "agency": "",
            "role": "leader",
            "hours": approve,
        },
        {"code": "tra_ket_qua", "name": "Trả kết quả", "agency": "receiving", "role": "clerk", "hours": 4},
    ]
    return steps


def _agency(code: str | None) -> Agency | None:
    return Agency.objects.filter(code=code).first() if code else None


@transaction.atomic
def load_demo_catalogue(path: Path = DATA) -> dict[str, int]:
    """Create or update the demo sectors, procedures and their first version; return the counts created."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = {"sectors": 0, "procedures": 0, "versions": 0}
    for order, (code, name) in enumerate(data["sectors"]):
        _sector, new = Sector.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
        created["sectors"] += new
    for order, row in enumerate(data["procedures"]):
        commune = row["authority"] == AuthorityLevel.COMMUNE
        fields = {
            "name": row["name"],
            "sector": Sector.objects.get(code=row["sector"]),
            "authority_level": row["authority"],
            "agency": None if commune else _agency(row.get("agency")),
            "receiving_agency": None if commune else _agency(row.get("receiving")),
            "level": row["level"],
            "description": row.get("description", ""),
            "legal_basis": row["legal_basis"],
            "result_type": row["result"],
            "fee_amount": row["fee"],
            "fee_note": row["fee_note"],
            "processing_time": row["time"],
            "processing_unit": row["unit"],
            "same_day_cutoff": dt.time.fromisoformat(row["cutoff"]) if row.get("cutoff") else None,
            "source_url": "https://csdl.dichvucong.gov.vn",
            "sort_order": order,
        }
        if not commune and fields["agency"] is None:
            continue  # the agencies are not loaded (a bare database): skip rather than half-load
        procedure = Procedure.objects.filter(code=row["code"]).first()
        if procedure is None:
            procedure = Procedure.objects.create(code=row["code"], **fields)
            created["procedures"] += 1
        elif any(getattr(procedure, key) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(procedure, key, value)
            procedure.save()
        hours = row["time"] * (8 if row["unit"] == TimeUnit.DAYS else 1)
        schema = {"fields": data["applicant_fields"] + row["fields"]}
        documents = row["documents"]
        steps = steps_for(row["process"], hours, commune=commune)
        problems = validate_schema(schema) + validate_documents(documents) + validate_steps(steps)
        if problems:
            raise ValueError(f"{row['code']}: {problems}")
        if not procedure.versions.exists():
            ProcedureVersion.objects.create(
                procedure=procedure,
                number=1,
                effective_from=EFFECTIVE,
                legal_basis=row["legal_basis"],
                form_schema=schema,
                documents=documents,
                steps=steps,
            )
            created["versions"] += 1
    if any(created.values()):
        audit.record(actor=None, action="eservices.demo_loaded", object_type="eservices.procedure", extra=created)
    return created


DEMO_CITIZEN_PHONE = "0900000008"  # Bùi Văn Dân, docs/demo-accounts.md
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEMO_APPLICATIONS = (
    (
        "1.009972",
        {
            "ten_cong_trinh": "Nhà xưởng sản xuất chè",
            "dia_diem": "Xóm Đồng Kem, xã Tân Cương",
            "cap_cong_trinh": "III",
            "tong_dien_tich_san": "1200",
        },
        True,
    ),
    ("2.000488", {"loai_phieu": "1", "muc_dich": "Bổ sung hồ sơ xin việc", "so_luong": 1}, True),
    ("1.000105", {"ten_to_chuc": "Công ty TNHH Chè Tân Cương"}, False),
)


def load_demo_applications() -> int:
    """Give the demo citizen two submitted applications and a draft, through the actions; return how many new."""
    from tinhso.core.models import User
    from tinhso.eservices import actions
    from tinhso.eservices.forms import CleanDocument
    from tinhso.eservices.models import Application

    citizen = User.objects.filter(phone=DEMO_CITIZEN_PHONE).first()
    if citizen is None:
        return 0  # demo accounts are created only in debug mode
    from tinhso.identity.actions import set_assurance_level
    from tinhso.identity.levels import LEVEL_VERIFIED, user_level

    if user_level(citizen) < LEVEL_VERIFIED:  # as if checked in person at a one-stop shop: applying needs level 1
        set_assurance_level(user=citizen, level=LEVEL_VERIFIED, source="clerk")
    created = 0
    for code, answers, submit in DEMO_APPLICATIONS:
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None or Application.objects.filter(applicant=citizen, procedure=procedure).exists():
            continue
        with transaction.atomic():
            draft = actions.start_application(actor=citizen, procedure=procedure)
            data = {**draft.form_data, "so_dinh_danh": "019090001234", "dia_chi": "Tổ 3, phường Phan Đình Phùng"}
            actions.save_draft(actor=citizen, application=draft, form_data={**data, **answers})
            if submit:
                for doc in actions.missing_documents(draft):
                    name = f"{doc['code']}.pdf"
                    document = CleanDocument(name, name, "application/pdf", len(DEMO_PDF), DEMO_PDF)
                    actions.attach_document(
                        actor=citizen, application=draft, requirement=doc["code"], document=document
                    )
                actions.submit_application(actor=citizen, application=draft, idempotency_key=f"demo:{code}")
        created += 1
    return created
