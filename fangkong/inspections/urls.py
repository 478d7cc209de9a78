from fangkong.inspections.views import urlpatterns  # noqa: F401
