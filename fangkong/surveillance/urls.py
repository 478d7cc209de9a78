from fangkong.surveillance.views import urlpatterns  # noqa: F401
