from fangkong.supplies.views import urlpatterns  # noqa: F401
