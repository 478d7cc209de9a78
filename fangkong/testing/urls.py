from fangkong.testing.views import urlpatterns  # noqa: F401
