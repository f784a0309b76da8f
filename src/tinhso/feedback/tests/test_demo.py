from tinhso.feedback.demo import load_demo_feedback
from tinhso.feedback.models import Category, DeadlinePolicy


def test_the_demo_taxonomy_loads_once(db):
    first = load_demo_feedback()
    assert first["categories"] == Category.objects.count() >= 15
    assert DeadlinePolicy.objects.filter(category__isnull=True).count() == 3
    assert load_demo_feedback() == {"categories": 0, "policies": 0, "templates": 0}
