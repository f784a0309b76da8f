"""Background task of the catalogue import (the admin enqueues it; the page polls its progress)."""

from django_tasks import task

from tinhso.eservices import catalogue


@task()
def import_catalogue(import_id: int) -> None:
    catalogue.run_import(import_id)
